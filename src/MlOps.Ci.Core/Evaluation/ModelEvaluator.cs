using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Runtime;

namespace MlOps.Ci.Evaluation;

/// <summary>Scores the evaluation data with the exported ONNX model, computes the task's metrics and applies the gates.</summary>
public static class ModelEvaluator
{
    /// <param name="definition">The model's definition; its ExecutionProvider says where the model is scored.</param>
    /// <param name="validation">The validated data, whose evaluation files are scored.</param>
    /// <param name="logger">Where the execution provider's choice (and a fallback to CPU) is logged.</param>
    public static EvaluationReport Evaluate(PipelineDefinition definition, ValidationReport validation, ILogger? logger = null)
    {
        var workspace = PipelineWorkspace.For(definition);
        var failedReportPath = Path.ChangeExtension(workspace.EvaluationReportPath, ".failed.json");
        AtomicFile.TryDelete(failedReportPath);
        // A failed evaluation must not leave the previous one behind for PackageModel to pick up.
        AtomicFile.TryDelete(workspace.EvaluationReportPath);
        if (!File.Exists(workspace.ModelPath))
        {
            throw MlOpsException.Of(DiagnosticCodes.StepInputMissing, $"There is no trained model at '{workspace.ModelPath}'.", new SourceLocation(definition.ProjectFile),
                "Run the TrainModel target first (a plain 'dotnet build' runs every step).");
        }
        var files = validation.Files.Where(f => f.Role == DataRole.Evaluation).ToList();
        if (files.Count == 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.NoEvaluationData, "The project declares no EvaluationData, so the model cannot be evaluated.",
                new SourceLocation(definition.ProjectFile), "Add <EvaluationData Include=\"data/test.csv\" /> with held-out rows the model never trained on.");
        }
        DataGuard.EnsureUnchanged(validation, DataRole.Evaluation);
        var table = DataTable.Load(files.Select(f => f.Path), validation.Schema);

        var clock = Stopwatch.StartNew();
        // CudaRequired without CUDA throws here: nothing below has written anything yet.
        using var scorer = OnnxScorer.Load(workspace.ModelPath,
            new ExecutionProviderRequest(definition.ExecutionProvider) { Activity = "evaluating", Location = new SourceLocation(definition.ProjectFile) },
            logger ?? NullLogger.Instance);
        var outputs = scorer.Score(table);
        var scoringSeconds = clock.Elapsed.TotalSeconds;

        var metrics = ComputeMetrics(definition.ModelTask, table, validation.Labels, outputs);
        clock.Restart();
        var importance = PermutationImportances.Compute(scorer, definition.ModelTask, table, validation.Labels, definition.Seed, metrics);
        var importanceSeconds = clock.Elapsed.TotalSeconds;
        var report = new EvaluationReport(metrics, QualityGates.Evaluate(definition, metrics), table.RowCount, scorer.Runtime.ExecutionProvider, scoringSeconds)
        {
            Runtime = scorer.Runtime,
            Predictions = PredictionProfile(definition.ModelTask, validation.Labels, outputs),
            FeatureImportance = importance,
            ImportanceSeconds = importance is null ? null : importanceSeconds,
        };
        if (!report.Passed)
        {
            // Kept for inspection under another name: evaluation.json is the step's MSBuild output, and writing it
            // would let the next build skip a model that failed its gates.
            MlOpsJson.WriteFile(failedReportPath, report);
            AtomicFile.TryDelete(workspace.EvaluationReportPath);
            throw new MlOpsException(report.Gates.Where(g => !g.Passed).Select(g => Diagnostic.Error(DiagnosticCodes.GateFailed,
                $"Quality gate failed: {g.Message}.", new SourceLocation(definition.ProjectFile),
                "Improve the model or its data, or change the QualityGate bound if it no longer fits.")).ToList()) { PartialResult = report };
        }
        MlOpsJson.WriteFile(workspace.EvaluationReportPath, report);
        return report;
    }

    /// <summary>
    /// The distribution of what the host will log as the row's prediction, under the request log's output name: the
    /// probability (binary; the score when the model has no probability), the score (regression), the predicted class
    /// (multiclass). Null when the model gives none of them.
    /// </summary>
    internal static ColumnProfile? PredictionProfile(ModelTask task, LabelClasses labels, IReadOnlyDictionary<string, ScoredOutput> outputs)
    {
        switch (task)
        {
            case ModelTask.BinaryClassification:
                if (outputs.GetValueOrDefault("Probability") is { Floats: { } probability })
                    return DataProfiler.ProfileColumn(new NumericColumn("probability", ColumnKind.Numeric, probability));
                return outputs.GetValueOrDefault("Score") is { Floats: { } binaryScore }
                    ? DataProfiler.ProfileColumn(new NumericColumn("score", ColumnKind.Numeric, binaryScore))
                    : null;
            case ModelTask.MulticlassClassification:
            {
                if (outputs.GetValueOrDefault("PredictedLabel") is { Strings: { } predicted })
                    return DataProfiler.ProfileColumn(new TextColumn("predictedLabel", predicted));
                // Without a string label the host names the class of the highest score, in the card's class order.
                if (outputs.GetValueOrDefault("Score") is not { Floats: { } scores, Width: > 0 } score || score.Width != labels.Classes.Count)
                    return null;
                var classes = new string[scores.Length / score.Width];
                for (var row = 0; row < classes.Length; row++)
                    classes[row] = labels.Classes[Metrics.ArgMax(scores, row, score.Width)];
                return DataProfiler.ProfileColumn(new TextColumn("predictedLabel", classes));
            }
            default:
                if (outputs.GetValueOrDefault("Score") is not { Floats: { } regression } output)
                    return null;
                // The host logs the first value of each row's score (the regression value).
                var width = Math.Max(1, output.Width);
                var values = width == 1 ? regression : Enumerable.Range(0, regression.Length / width).Select(r => regression[r * width]).ToArray();
                return DataProfiler.ProfileColumn(new NumericColumn("score", ColumnKind.Numeric, values));
        }
    }

    internal static IReadOnlyDictionary<string, double> ComputeMetrics(ModelTask task, DataTable table, LabelClasses labels, IReadOnlyDictionary<string, ScoredOutput> outputs)
    {
        switch (task)
        {
            case ModelTask.BinaryClassification:
            {
                var truth = ((Data.TextColumn)table.Label).Values.Select(labels.IsPositive).ToArray();
                var probability = (outputs.GetValueOrDefault("Probability") ?? outputs["Score"]).Floats!;
                var predicted = outputs.TryGetValue("PredictedLabel", out var label) && label.Booleans is { } flags ? flags : probability.Select(p => p > 0.5f).ToArray();
                return Metrics.Binary(truth, probability, predicted);
            }
            case ModelTask.MulticlassClassification:
            {
                var index = labels.Classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
                var truth = ((Data.TextColumn)table.Label).Values.Select(v => index[v]).ToArray();
                var score = outputs["Score"];
                return Metrics.Multiclass(truth, score.Floats!, score.Width);
            }
            default:
                return Metrics.Regression(((NumericColumn)table.Label).Values, outputs["Score"].Floats!);
        }
    }
}
