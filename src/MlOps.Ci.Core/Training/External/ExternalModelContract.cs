using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Training.External;

/// <summary>
/// Checks that a model an external command wrote can stand where an MlOps.Ci-trained one does: it takes exactly the
/// data's feature columns as [N,1] tensors of their type (as evaluation, batch scoring and the serving host feed them),
/// and gives the outputs evaluation reads for the task. Failing here names the input or output at fault; failing later
/// would be an evaluation error about a model the user did not know was wrong.
/// </summary>
public static class ExternalModelContract
{
    /// <summary>Rows scored as a smoke test: enough to show the outputs' widths, cheap for any model.</summary>
    private const int SampleRows = 16;

    /// <summary>Checks the model and returns its output columns (names as evaluation reads them: Score, not Score.output).</summary>
    public static IReadOnlyList<string> Check(OnnxScorer scorer, DataTable table, PipelineDefinition definition, LabelClasses labels, string command)
    {
        var where = new SourceLocation(definition.ProjectFile);
        CheckInputs(scorer.InputMetadata, table, where, command);
        var outputs = scorer.OutputMetadata.ToDictionary(o => OnnxScorer.ColumnNameOf(o.Key), o => o.Value.ElementDataType, StringComparer.Ordinal);
        CheckOutputTypes(outputs, definition.ModelTask, where, command);

        var sample = table.Select(Enumerable.Range(0, Math.Min(SampleRows, table.RowCount)).ToList());
        IReadOnlyDictionary<string, ScoredOutput> scored;
        try
        {
            scored = scorer.Score(sample);
        }
        catch (MlOpsException exception) when (exception.Diagnostics[0].Code == DiagnosticCodes.OnnxScoringFailed)
        {
            throw MlOpsException.Of(DiagnosticCodes.TrainerModelOutputsMismatch,
                $"ONNX Runtime cannot run the model that '{command}' wrote on training rows: {exception.Diagnostics[0].Message}", where,
                "Check the graph's shapes: every input arrives as [N,1], and each output must have one row per input row.");
        }
        CheckOutputWidths(scored, sample.RowCount, definition.ModelTask, labels, where, command);
        return outputs.Keys.Where(name => outputs[name] is TensorElementType.Float or TensorElementType.Bool or TensorElementType.String).ToList();
    }

    private static void CheckInputs(IReadOnlyDictionary<string, NodeMetadata> inputs, DataTable table, SourceLocation where, string command)
    {
        var problems = new List<string>();
        var features = table.Features.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var missing = table.Features.Where(f => !inputs.ContainsKey(f.Name)).Select(f => $"'{f.Name}' ({ElementTypeOf(f)})").ToList();
        if (missing.Count > 0)
            problems.Add($"missing input(s) for feature column(s) {string.Join(", ", missing)}");
        var extra = inputs.Keys.Where(name => !features.ContainsKey(name)).Select(name => $"'{name}'").ToList();
        if (extra.Count > 0)
            problems.Add($"extra input(s) {string.Join(", ", extra)} that are not feature columns");
        foreach (var (name, metadata) in inputs.Where(i => features.ContainsKey(i.Key)))
        {
            var expected = ElementTypeOf(features[name]);
            var actual = metadata.ElementDataType == TensorElementType.Float ? "float" : metadata.ElementDataType == TensorElementType.String ? "string" : metadata.ElementDataType.ToString();
            if (actual != expected)
                problems.Add($"input '{name}' takes {actual}, but column '{name}' is {features[name].Kind.ToString().ToLowerInvariant()} and arrives as {expected}");
            else if (metadata.Dimensions is not [_, 1 or -1])
                problems.Add($"input '{name}' has shape [{string.Join(",", metadata.Dimensions)}], but rows arrive as [N,1]");
        }
        if (problems.Count > 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.TrainerModelInputsMismatch,
                $"The model that '{command}' wrote does not take the data's feature columns: {string.Join("; ", problems)}.", where,
                "Give the graph one [N,1] input per feature column, named after it: float for numeric and boolean (0/1) columns, string for categorical ones " +
                "({Schema} lists them); leave a column out of the model with <IgnoreColumn>.");
        }
    }

    private static void CheckOutputTypes(IReadOnlyDictionary<string, TensorElementType> outputs, ModelTask task, SourceLocation where, string command)
    {
        var problems = new List<string>();
        void Require(string name, TensorElementType type, bool optional = false)
        {
            if (!outputs.TryGetValue(name, out var actual))
            {
                if (!optional)
                    problems.Add($"no '{name}' output");
            }
            else if (actual != type)
            {
                problems.Add($"output '{name}' is {actual}, not {type}");
            }
        }
        switch (task)
        {
            case ModelTask.BinaryClassification:
                if (!outputs.ContainsKey("Probability") && !outputs.ContainsKey("Score"))
                    problems.Add("neither a 'Probability' nor a 'Score' output");
                Require("Probability", TensorElementType.Float, optional: true);
                Require("Score", TensorElementType.Float, optional: true);
                Require("PredictedLabel", TensorElementType.Bool, optional: true);
                break;
            case ModelTask.MulticlassClassification:
                Require("Score", TensorElementType.Float);
                Require("PredictedLabel", TensorElementType.String, optional: true);
                break;
            default:
                Require("Score", TensorElementType.Float);
                break;
        }
        if (problems.Count > 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.TrainerModelOutputsMismatch,
                $"The model that '{command}' wrote does not give the outputs {task} is evaluated on: {string.Join("; ", problems)}.", where, ExpectedOutputs(task));
        }
    }

    private static void CheckOutputWidths(IReadOnlyDictionary<string, ScoredOutput> scored, int rows, ModelTask task, LabelClasses labels, SourceLocation where, string command)
    {
        var problems = new List<string>();
        void Expect(string name, int width)
        {
            if (scored.TryGetValue(name, out var output) && output.Width != width)
                problems.Add($"'{name}' gives {output.Width} value(s) per row for {rows} rows, not {width}");
        }
        switch (task)
        {
            case ModelTask.BinaryClassification:
                Expect("Probability", 1);
                Expect("Score", 1);
                Expect("PredictedLabel", 1);
                break;
            case ModelTask.MulticlassClassification:
                Expect("Score", labels.Classes.Count);
                Expect("PredictedLabel", 1);
                break;
            default:
                Expect("Score", 1);
                break;
        }
        if (problems.Count > 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.TrainerModelOutputsMismatch,
                $"The model that '{command}' wrote gives outputs of the wrong shape: {string.Join("; ", problems)}.", where, ExpectedOutputs(task));
        }
    }

    private static string ExpectedOutputs(ModelTask task) => task switch
    {
        ModelTask.BinaryClassification => "Binary classification reads 'Probability' (float [N,1], of the positive class) or 'Score', and optionally 'PredictedLabel' (bool [N,1]).",
        ModelTask.MulticlassClassification => "Multiclass classification reads 'Score' (float [N,classes], in the order {Schema} lists the classes), and optionally 'PredictedLabel' (string [N,1]).",
        _ => "Regression reads 'Score' (float [N,1]).",
    };

    /// <summary>The tensor element type a feature column reaches the model as: what {Schema} tells the command and what the check enforces.</summary>
    internal static string ElementTypeOf(TableColumn column) => column is NumericColumn ? "float" : "string";
}
