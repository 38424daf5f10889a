using MlOps.Ci.Diagnostics;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Data;

/// <summary>
/// The label's classes as training and scoring see them: sorted ordinally, so the ONNX model's class order and the
/// model card's are the same on every machine; for binary classification, which class is positive.
/// </summary>
public sealed record LabelClasses(IReadOnlyList<string> Classes, string? PositiveClass)
{
    public static LabelClasses Resolve(PipelineDefinition definition, IEnumerable<string> observed, SourceLocation where)
    {
        var classes = observed.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (definition.ModelTask == ModelTask.Regression)
            return new LabelClasses([], null);
        if (classes.Count < 2)
        {
            throw MlOpsException.Of(DiagnosticCodes.LabelHasOneClass,
                $"Label column '{definition.LabelColumn}' has only one class ({(classes.Count == 0 ? "none" : $"'{classes[0]}'")}) in the training data.",
                where, "A classifier needs examples of at least two classes; check the data or the LabelColumn.");
        }
        if (definition.ModelTask == ModelTask.MulticlassClassification)
            return new LabelClasses(classes, null);

        if (classes.Count > 2)
        {
            throw MlOpsException.Of(DiagnosticCodes.BinaryLabelNotTwoClasses,
                $"Label column '{definition.LabelColumn}' has {classes.Count} classes ({string.Join(", ", classes.Take(5))}{(classes.Count > 5 ? ", …" : "")}), but ModelTask is BinaryClassification.",
                where, "Use <ModelTask>MulticlassClassification</ModelTask>, or fix the label values.");
        }
        if (definition.PositiveClass is { } positive)
        {
            if (!classes.Contains(positive))
            {
                throw MlOpsException.Of(DiagnosticCodes.BinaryLabelNotTwoClasses, $"PositiveClass '{positive}' is not one of the label's classes ({string.Join(", ", classes)}).",
                    new SourceLocation(definition.ProjectFile), "Set PositiveClass to one of the label values.");
            }
            return new LabelClasses(classes, positive);
        }
        var truth = classes.Select(c => (Class: c, Parsed: CellValues.TryParseBoolean(c, out var value), Value: value)).ToList();
        if (truth.All(t => t.Parsed) && truth[0].Value != truth[1].Value)
            return new LabelClasses(classes, truth.Single(t => t.Value).Class);
        throw MlOpsException.Of(DiagnosticCodes.BinaryLabelNotTwoClasses,
            $"Cannot tell which of the label values '{classes[0]}' and '{classes[1]}' is the positive class.", where,
            "Set <PositiveClass> in the project to the value that means 'yes'.");
    }

    public bool IsPositive(string label) => string.Equals(label, PositiveClass, StringComparison.Ordinal);
}
