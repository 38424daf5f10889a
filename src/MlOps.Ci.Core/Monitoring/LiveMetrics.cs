using System.Globalization;
using System.Text;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Reporting;

namespace MlOps.Ci.Monitoring;

/// <summary>
/// <c>mlops feedback</c>: joins ground-truth labels to the predictions the serving host logged, computes the task's
/// metrics exactly as evaluation does (<see cref="Metrics"/>), and holds them to the package's own evaluation metrics with
/// the gates' MaxDecrease/MaxIncrease, applied as <c>mlops report</c> applies them to a baseline
/// (<see cref="ModelComparison.RegressionCheck"/>). A live metric that decayed past its bound advises retraining.
/// </summary>
public static class LiveMetrics
{
    public static FeedbackReport Evaluate(FeedbackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var card = ModelPackage.Read(options.PackagePath).Card;
        var labelColumn = options.LabelColumn is { Length: > 0 } given ? given : card.Signature.LabelColumn;
        var labels = GroundTruthLabels.Read(options, labelColumn);
        var classes = card.Signature.Classes ?? [];
        var log = LoggedPredictions.Read(options.RequestLogPath, card.Fingerprints.Model, classes, labels.Keys.ToHashSet());

        var diagnostics = new List<Diagnostic>();
        if (log.LinesInvalid > 0)
        {
            diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.FeedbackLogLineInvalid,
                $"{log.LinesInvalid} line(s) of the request log are not entries as the host writes them and were skipped (the first is line {log.FirstInvalidLine}).",
                new SourceLocation(options.RequestLogPath, (int)Math.Min(log.FirstInvalidLine, int.MaxValue)), "Look for lines written by something else or cut by a full disk."));
        }
        if (log.LastLineTruncated)
        {
            diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.FeedbackLastLineIncomplete,
                "The request log's last line is incomplete (still being written, or a cut copy); everything before it was read.", new SourceLocation(options.RequestLogPath),
                "Nothing to do for a live log; otherwise copy the log again."));
        }
        if (log.OtherModelRows > 0)
        {
            diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.FeedbackOtherModelSkipped,
                $"{log.OtherModelRows} labelled row(s) were scored by another model than {card.Name} {card.Version} ({card.Fingerprints.Model}) and were left out.",
                new SourceLocation(options.RequestLogPath), "Check them with the package that scored them (its fingerprint is in each log line)."));
        }
        var unmatched = labels.Where(l => !log.Predictions.ContainsKey(l.Key)).ToList();
        var unknownIds = unmatched.Select(l => l.Key.ToString()).Take(FeedbackJoin.ExampleLimit).ToList();
        if (log.Predictions.Count == 0)
        {
            throw new MlOpsException([.. diagnostics, Diagnostic.Error(DiagnosticCodes.FeedbackNoMatches,
                $"None of the {labels.Count} label(s) matches a prediction of {card.Name} {card.Version} in the request log (e.g. {string.Join(", ", unknownIds.Take(3))}).",
                new SourceLocation(options.LabelsPath),
                "The labels' requestId must be the id the host logged (the X-Request-Id it answered), with the row within the request when it scored several; check the log is the one this model wrote.")]);
        }
        if (unmatched.Count - log.OtherModelRows > 0)
        {
            var first = unmatched.MinBy(l => l.Value.Line);
            diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.FeedbackUnknownRequestIds,
                $"{unmatched.Count - log.OtherModelRows} label(s) name a request the log does not have (e.g. {string.Join(", ", unknownIds.Take(3))}); they were left out.",
                new SourceLocation(options.LabelsPath, first.Value.Line), "Normal when the log was sampled or rotated; otherwise check the request ids."));
        }

        var matched = labels.Where(l => log.Predictions.ContainsKey(l.Key)).OrderBy(l => l.Value.Line).ToList();
        var live = Compute(card, matched.Select(l => (l.Value, log.Predictions[l.Key])).ToList(), options.LabelsPath);
        var comparisons = Compare(card, live);
        if (!card.Gates.Any(g => g.MaxDecrease is not null || g.MaxIncrease is not null))
        {
            diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.FeedbackNoBounds,
                $"The package's quality gates have no MaxDecrease or MaxIncrease, so the live metrics are reported but not gated.", new SourceLocation(options.PackagePath),
                "Add e.g. MaxDecrease=\"0.05\" to <QualityGate Include=\"AUC\" /> in the ML project and build the package again."));
        }
        var decayed = comparisons.Any(c => !c.Passed);
        var join = new FeedbackJoin(log.Lines, log.LinesInvalid, log.LastLineTruncated, labels.Count, matched.Count, unmatched.Count, unknownIds, log.OtherModelRows);
        var failed = comparisons.SelectMany(c => c.Gates.Where(g => !g.Passed)).Select(g => g.Message).ToList();
        var summary = decayed
            ? $"Live metrics of {card.Name} {card.Version} decayed on {matched.Count} labelled row(s): {string.Join("; ", failed)}. Retraining is advised."
            : $"Live metrics of {card.Name} {card.Version} on {matched.Count} labelled row(s) are within their bounds.";
        return new FeedbackReport(card.Name, card.Version, card.Fingerprints.Model, options.RequestLogPath, options.LabelsPath, labelColumn, join, comparisons,
            decayed, summary, diagnostics);
    }

    /// <summary>The task's metrics over the joined rows, by the same functions as evaluation.</summary>
    private static IReadOnlyDictionary<string, double> Compute(ModelCard card, IReadOnlyList<(GroundTruth Truth, LoggedPrediction Prediction)> rows, string labelsPath)
    {
        var classes = card.Signature.Classes ?? [];
        switch (card.Task)
        {
            case ModelTask.BinaryClassification:
            {
                var positive = card.Signature.PositiveClass ?? classes.LastOrDefault() ?? "true";
                var truth = rows.Select(r => Class(r.Truth, classes, labelsPath) == positive).ToArray();
                var probability = rows.Select(r => r.Prediction.Values.FirstOrDefault(float.NaN)).ToArray();
                var predicted = rows.Select((r, i) => r.Prediction.PredictedLabel is { } label ? label == positive : probability[i] > 0.5f).ToArray();
                return Metrics.Binary(truth, probability, predicted);
            }
            case ModelTask.MulticlassClassification:
            {
                var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
                var truth = rows.Select(r => index[Class(r.Truth, classes, labelsPath)]).ToArray();
                var scores = rows.SelectMany(r => r.Prediction.Values.Length == classes.Count ? r.Prediction.Values : new float[classes.Count]).ToArray();
                return Metrics.Multiclass(truth, scores, classes.Count);
            }
            default:
            {
                var truth = rows.Select(r => CellValues.TryParseNumber(r.Truth.Label, out var value) ? value
                    : throw MlOpsException.Of(DiagnosticCodes.FeedbackLabelInvalid, $"Label '{r.Truth.Label}' is not a number.", new SourceLocation(labelsPath, r.Truth.Line),
                        "A regression model's ground truth is a number ('.' for decimals).")).ToArray();
                return Metrics.Regression(truth, rows.Select(r => r.Prediction.Values.FirstOrDefault(float.NaN)).ToArray());
            }
        }
    }

    private static string Class(GroundTruth truth, IReadOnlyList<string> classes, string labelsPath)
    {
        foreach (var name in classes)
        {
            if (string.Equals(name, truth.Label, StringComparison.Ordinal))
                return name;
        }
        throw MlOpsException.Of(DiagnosticCodes.FeedbackLabelInvalid, $"Label '{truth.Label}' is not a class of the model ({string.Join(", ", classes)}).",
            new SourceLocation(labelsPath, truth.Line), "Spell the ground truth as the training data did (case-sensitive).");
    }

    /// <summary>Evaluation's value as the baseline, live as the candidate; only the gates' change bounds apply.</summary>
    private static List<MetricComparison> Compare(ModelCard card, IReadOnlyDictionary<string, double> live) =>
        live.Where(m => card.Metrics.ContainsKey(m.Key)).Select(metric =>
        {
            var evaluation = card.Metrics[metric.Key];
            var gates = double.IsNaN(metric.Value) ? []
                : card.Gates.Where(g => g.Metric == metric.Key && (g.MaxDecrease is not null || g.MaxIncrease is not null))
                    .Select(g => ModelComparison.RegressionCheck(metric.Key, g, evaluation, metric.Value - evaluation)).ToList();
            return new MetricComparison(metric.Key, evaluation, metric.Value, metric.Value - evaluation, Evaluation.Metrics.HigherIsBetter(metric.Key), gates);
        }).ToList();

    /// <summary>The markdown for the CI run's summary: the verdict, the join, and live beside evaluation per metric.</summary>
    public static string Markdown(FeedbackReport report)
    {
        static string F(double? value) => value is { } v && !double.IsNaN(v) ? QualityGates.Format(v) : "–";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"## {(report.Decayed ? "❌" : "✅")} Live metrics of {report.Model} {report.Version}\n\n");
        text.Append(report.Summary).Append("\n\n");
        var join = report.Join;
        text.Append(CultureInfo.InvariantCulture,
            $"{join.Matched} of {join.Labels} label(s) joined to {join.LogLines} logged row(s); {join.Unmatched} without a logged prediction of this model.\n\n");
        text.Append("| metric | evaluation | live | change | gate |\n|---|---:|---:|---:|---|\n");
        foreach (var metric in report.Metrics)
        {
            var gate = metric.Gates.Count == 0 ? "not gated" : string.Join("<br>", metric.Gates.Select(g => (g.Passed ? "✅ " : "❌ ") + g.Message));
            var change = metric.Change is { } c && !double.IsNaN(c) ? ModelComparison.Signed(c) : "–";
            text.Append(CultureInfo.InvariantCulture, $"| {metric.Metric} | {F(metric.Baseline)} | {F(metric.Candidate)} | {change} | {gate} |\n");
        }
        return text.ToString();
    }
}
