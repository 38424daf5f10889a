using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Training.Features;

/// <summary>
/// Checks the project's <c>Feature</c> items and completes them into the featurization of every feature column: the
/// declared transforms where there is an item, the defaults elsewhere (numbers: ReplaceMissing with the mean;
/// categories: OneHot). The trainer builds the graph from this plan and the model card records it.
/// </summary>
public static class FeaturePlan
{
    private static readonly FeatureTransform[] Encodings = [FeatureTransform.OneHot, FeatureTransform.Hash, FeatureTransform.Text];
    private static readonly FeatureTransform[] NumericTransforms = [FeatureTransform.ReplaceMissing, FeatureTransform.Normalize];

    /// <summary>What can be checked without data: each item on its own, and that no column is declared twice.</summary>
    public static void CheckDeclarations(PipelineDefinition definition)
    {
        var errors = new List<Diagnostic>();
        foreach (var group in definition.Features.GroupBy(f => f.Column, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add(Diagnostic.Error(DiagnosticCodes.FeatureDeclaredTwice, $"Column '{group.Key}' has {group.Count()} Feature items.", Where(definition, group.Key),
                "Merge them into one item: its Transform list runs in the order written, e.g. Transform=\"ReplaceMissing;Normalize\"."));
        }
        foreach (var feature in definition.Features)
        {
            if (NotExportable(feature) is { } reason)
            {
                errors.Add(Diagnostic.Error(DiagnosticCodes.FeatureTransformNotExportable, $"Feature '{feature.Column}' asks for {reason.Transform}, which cannot be part of the ONNX graph: {reason.Why}.",
                    Where(definition, feature.Column), reason.Instead));
                continue;
            }
            if (Conflict(feature) is { } conflict)
            {
                errors.Add(Diagnostic.Error(feature.Transforms.Count == 0 ? DiagnosticCodes.UnknownFeatureTransform : DiagnosticCodes.FeatureTransformsConflict,
                    $"Feature '{feature.Column}' (Transform=\"{string.Join(';', feature.Transforms)}\"): {conflict}.", Where(definition, feature.Column),
                    "A column takes one encoding (OneHot or Hash), ReplaceMissing before Normalize, and Drop alone."));
            }
        }
        if (errors.Count > 0)
            throw new MlOpsException(errors);
    }

    /// <summary>
    /// What needs the data's columns: every declared column exists, is a feature, and fits its transforms. Called by
    /// the schema resolver once kinds are known (a Drop item has already made its column Ignore there).
    /// </summary>
    public static void CheckAgainst(PipelineDefinition definition, DataSchema schema, string dataFile)
    {
        var errors = new List<Diagnostic>();
        foreach (var feature in definition.Features)
        {
            var where = Where(definition, feature.Column);
            var column = schema.Find(feature.Column);
            if (column is null)
            {
                errors.Add(Diagnostic.Error(DiagnosticCodes.FeatureColumnNotFound,
                    $"Feature '{feature.Column}' names a column that is not in '{Path.GetFileName(dataFile)}'. Its columns are: {string.Join(", ", schema.Columns.Select(c => c.Name))}.",
                    where, "Fix the Include of the Feature item (column names are case-sensitive)."));
                continue;
            }
            if (feature.Drops)
                continue;
            if (column.Name == schema.LabelColumn || column.Kind == ColumnKind.Ignore)
            {
                var role = column.Name == schema.LabelColumn ? "the label column" : "an ignored column";
                errors.Add(Diagnostic.Error(DiagnosticCodes.FeatureOnLabelOrIgnoredColumn, $"Feature '{feature.Column}' names {role}, which is not an input of the model.",
                    where, "Remove the Feature item; to leave a column out of the model, Transform=\"Drop\" or <IgnoreColumn> alone is enough."));
                continue;
            }
            var categorical = column.Kind == ColumnKind.Categorical;
            var misfit = feature.Transforms.Where(t => categorical ? NumericTransforms.Contains(t) : Encodings.Contains(t)).ToList();
            if (misfit.Count > 0)
            {
                errors.Add(Diagnostic.Error(DiagnosticCodes.FeatureTransformDoesNotFitColumn,
                    $"Feature '{feature.Column}' is a {column.Kind.ToString().ToLowerInvariant()} column, but {string.Join(" and ", misfit)} "
                    + (categorical ? "need numbers" : "need a categorical (text) column") + ".",
                    where, categorical
                        ? "Use OneHot or Hash for a categorical column (its missing values are a category of their own)."
                        : "Use ReplaceMissing or Normalize for a number; to encode numeric codes as categories, declare <CategoricalColumn Include=\"" + feature.Column + "\" />."));
            }
        }
        if (errors.Count > 0)
            throw new MlOpsException(errors);
    }

    /// <summary>The columns <c>Transform="Drop"</c> leaves out of the model: the schema marks them Ignore, like <c>IgnoreColumn</c>.</summary>
    public static IReadOnlyList<string> DroppedColumns(PipelineDefinition definition) =>
        definition.Features.Where(f => f.Drops).Select(f => f.Column).ToList();

    /// <summary>The featurization of every feature column of the schema, in the schema's order.</summary>
    public static IReadOnlyList<FeatureDeclaration> For(PipelineDefinition definition, DataSchema schema) =>
        schema.Features.Select(column => definition.Features.FirstOrDefault(f => f.Column == column.Name) ?? Default(column)).ToList();

    private static FeatureDeclaration Default(ColumnSchema column) => column.Kind == ColumnKind.Categorical
        ? new FeatureDeclaration(column.Name, [FeatureTransform.OneHot])
        : new FeatureDeclaration(column.Name, [FeatureTransform.ReplaceMissing]);

    /// <summary>
    /// Transforms ML.NET can fit but not export faithfully. Refused outright: a package whose graph featurizes
    /// differently from training (or only one row at a time) would pass evaluation here and fail where it is served.
    /// </summary>
    private static (FeatureTransform Transform, string Why, string Instead)? NotExportable(FeatureDeclaration feature)
    {
        if (feature.Transforms.Contains(FeatureTransform.Bin))
        {
            return (FeatureTransform.Bin, "ML.NET's ONNX exporter has no binning operator",
                "Tree trainers (FastTree, FastForest, LightGbm) bin numbers themselves (their MaximumBinCountPerFeature hyperparameter); for linear trainers use Normalize.");
        }
        if (feature.Transforms.Contains(FeatureTransform.Text))
        {
            return (FeatureTransform.Text, "ML.NET exports word bags as a graph that scores one row per call (its batch dimension collapses), so batch evaluation and serving would fail",
                "Use Hash for open-ended categories, or train text models with an external trainer (<Trainer>Command</Trainer>) that writes its own ONNX graph.");
        }
        return null;
    }

    private static string? Conflict(FeatureDeclaration feature)
    {
        var transforms = feature.Transforms;
        if (transforms.Count == 0)
            return "no transform is given";
        if (transforms.Distinct().Count() != transforms.Count)
            return "a transform is repeated";
        if (feature.Drops && transforms.Count > 1)
            return "Drop leaves the column out of the model, so no other transform can apply";
        if (transforms.Count(Encodings.Contains) > 1)
            return "more than one encoding (OneHot, Hash)";
        var replace = transforms.ToList().IndexOf(FeatureTransform.ReplaceMissing);
        if (replace > 0 && transforms.Take(replace).Contains(FeatureTransform.Normalize))
            return "ReplaceMissing comes after Normalize, which would scale the missing values as NaN";
        return null;
    }

    private static SourceLocation Where(PipelineDefinition definition, string column) =>
        ProjectItemLocator.Find(definition.ProjectFile, "Feature", column) is { } at ? new SourceLocation(definition.ProjectFile, at.Line, at.Column)
        : new SourceLocation(definition.ProjectFile);
}
