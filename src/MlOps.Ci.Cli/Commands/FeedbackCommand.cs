using System.CommandLine;
using MlOps.Ci.Automation;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using MlOps.Ci.Monitoring;
using MlOps.Ci.Reporting;

namespace MlOps.Ci.Cli.Commands;

/// <summary>
/// <c>mlops feedback</c>: joins ground-truth labels to the predictions in the serving host's request log, computes the
/// live metrics as evaluation does and gates them against the package's evaluation metrics with the gates'
/// MaxDecrease/MaxIncrease. Prints the report (the whole <see cref="FeedbackReport"/> with --json), adds its markdown to
/// the CI run's summary, publishes <c>retrain</c> and exits 1 when a live metric decayed past its bound.
/// </summary>
internal static class FeedbackCommand
{
    /// <summary>The default of --labels, as the Action and the task pass it.</summary>
    public const string LabelsVariable = "MLOPS_FEEDBACK_LABELS";

    public static Command Create(GlobalOptions global)
    {
        var package = EnvironmentDefaults.PackageOption("The served model's package, whose evaluation metrics and gates the live metrics are held to");
        var log = new Option<FileInfo?>("--log", "-l")
        {
            Description = $"The serving host's JSON-lines request log (default: ${DriftCommand.InputVariable}, the log drift reads).",
            DefaultValueFactory = _ => EnvironmentDefaults.FileFrom(DriftCommand.InputVariable),
        };
        var labels = new Option<FileInfo?>("--labels")
        {
            Description = $"CSV of ground truth: requestId, the label column, and row when a request scored several rows (default: ${LabelsVariable}).",
            DefaultValueFactory = _ => EnvironmentDefaults.FileFrom(LabelsVariable),
        };
        var labelColumn = new Option<string?>("--label-column") { Description = "The labels' column holding the truth (default: the model's label column)." };
        var requestIdColumn = new Option<string>("--request-id-column") { Description = "The labels' column of request ids.", DefaultValueFactory = _ => FeedbackOptions.DefaultRequestIdColumn };
        var markdown = new Option<FileInfo?>("--markdown", "-m") { Description = "Also write the markdown report to this file (it always goes to the CI run's summary)." };
        var command = new Command("feedback", "Join ground-truth labels to logged predictions, compute live metrics and gate them against the package's evaluation; exit 1 when they decayed.")
        {
            package, log, labels, labelColumn, requestIdColumn, markdown,
        };
        command.SetAction(parse =>
        {
            var json = parse.GetValue(global.Json);
            string? markdownPath = null;
            return CommandOutput.Run(json, () =>
            {
                var host = CurrentCiHost.Get(json);
                var packagePath = EnvironmentDefaults.RequirePackage(parse.GetValue(package)).FullName;
                var logPath = parse.GetValue(log)?.FullName ?? throw MlOpsException.Of(DiagnosticCodes.FeedbackLogNotFound,
                    $"No request log: give --log or set {DriftCommand.InputVariable}.", hint: "Point it at the serving host's request log (its --request-log path).");
                var labelsPath = parse.GetValue(labels)?.FullName ?? throw MlOpsException.Of(DiagnosticCodes.FeedbackLabelsUnreadable,
                    $"No labels: give --labels or set {LabelsVariable}.", hint: "A CSV with a requestId column (the X-Request-Id the host answered) and the label column.");
                var report = LiveMetrics.Evaluate(new FeedbackOptions(packagePath, logPath, labelsPath)
                {
                    LabelColumn = parse.GetValue(labelColumn),
                    RequestIdColumn = parse.GetValue(requestIdColumn) ?? FeedbackOptions.DefaultRequestIdColumn,
                });

                markdownPath = ReportOutputs.Publish(host, LiveMetrics.Markdown(report), parse.GetValue(markdown), report.Findings());
                if (!json)
                {
                    Console.Out.WriteLine(report.Summary);
                    foreach (var metric in report.Metrics)
                    {
                        Console.Out.WriteLine($"  {metric.Metric,-16} evaluation {ModelComparison.Format(metric.Baseline ?? double.NaN),8}  live {ModelComparison.Format(metric.Candidate),8}"
                            + (metric.Passed ? "" : "  DECAYED"));
                    }
                    if (markdownPath is not null)
                        Console.Out.WriteLine($"Report: {markdownPath}");
                }
                return new StatusOutcome(report, report.Retrain, report.Summary);
            }, result => result is FeedbackReport report ? Outputs(report, markdownPath) : []);
        });
        return command;
    }

    private static IEnumerable<KeyValuePair<string, string>> Outputs(FeedbackReport report, string? markdownPath)
    {
        yield return new(StepOutputs.Retrain, report.Retrain ? "true" : "false");
        yield return new(StepOutputs.ModelVersion, report.Version);
        yield return new(StepOutputs.Fingerprint, report.Fingerprint);
        yield return new(StepOutputs.MetricsJson, MlOpsJson.SerializeCompact(report.Metrics.ToDictionary(m => m.Metric, m => m.Candidate)));
        if (markdownPath is not null)
            yield return new(StepOutputs.ReportPath, markdownPath);
    }
}
