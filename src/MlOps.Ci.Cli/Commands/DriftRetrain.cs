using System.CommandLine;
using System.Globalization;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Drift;

namespace MlOps.Ci.Cli.Commands;

/// <summary>
/// <c>mlops drift --retrain-workflow train.yml</c> (GitHub) or <c>--retrain-pipeline-id 12</c> (Azure Pipelines): when
/// the report advises retraining, the training run is started at once, as <c>mlops retrain</c> would start it, with the
/// reason naming the drifted features and the window of data the drift was seen in. A scheduled check is then one
/// step, and the drift engine in Core still knows nothing of CI systems: only the CLI joins the two.
/// </summary>
internal sealed class DriftRetrain
{
    /// <summary>The input or template parameter holding the window of data, as <c>FIRST/LAST</c> (ISO 8601, UTC).</summary>
    public const string WindowInput = "window";

    public Option<string?> Workflow { get; } = new("--retrain-workflow")
    {
        Description = "When retraining is advised, dispatch this GitHub workflow (train.yml) with inputs 'reason' and 'window' (it must declare both).",
    };

    public Option<string?> PipelineId { get; } = new("--retrain-pipeline-id")
    {
        Description = "When retraining is advised, queue this Azure Pipelines pipeline with template parameters 'reason' and 'window' (its YAML must declare both).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Workflow);
        command.Options.Add(PipelineId);
    }

    /// <summary>
    /// Starts the training run when <paramref name="report"/> advises it and an option asked for it. A failed dispatch
    /// fails the step with its own diagnostic, while the report's outputs (drifted, retrain) are still published.
    /// </summary>
    public void DispatchIfAdvised(ParseResult parse, DriftReport report, bool verbose, bool json)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(report);
        var workflow = parse.GetValue(Workflow);
        var pipelineId = parse.GetValue(PipelineId);
        if (!report.Retrain || (workflow is null && pipelineId is null))
            return;
        try
        {
            // With --json stdout carries only the report; the line saying what was started goes to stderr.
            RetrainCommand.Dispatch(Request(report, workflow, pipelineId), verbose, json, json ? Console.Error : Console.Out);
        }
        catch (MlOpsException exception) when (exception.PartialResult is null)
        {
            throw new MlOpsException(exception.Diagnostics, exception) { PartialResult = report };
        }
    }

    /// <summary>The retraining request for a report: Azure Pipelines when a pipeline id is given, else the GitHub workflow.</summary>
    internal static RetrainCommand.Request Request(DriftReport report, string? workflow, string? pipelineId) =>
        new(Reason(report), report.Window is { } window ? [$"{WindowInput}={Window(window)}"] : [])
        {
            System = pipelineId is null ? RetrainCommand.TrainingSystem.GitHub : RetrainCommand.TrainingSystem.AzurePipelines,
            Workflow = workflow,
            PipelineId = pipelineId,
            // GitHub needs the ref to run on; Azure Pipelines takes the job's branch (BUILD_SOURCEBRANCH) by itself.
            Ref = pipelineId is null ? EnvironmentDefaults.Get("GITHUB_REF_NAME") : null,
        };

    /// <summary>e.g. "Drift in Tenure, MonthlyCharges, Contract (churn 1.0.0, 1000 rows)".</summary>
    internal static string Reason(DriftReport report) => string.Create(CultureInfo.InvariantCulture,
        $"Drift in {string.Join(", ", report.DriftedFeatures.Select(f => f.Column).DefaultIfEmpty("the predictions"))} ({report.Model} {report.Version}, {report.RowsRead} rows)");

    internal static string Window(DriftWindow window) =>
        $"{Utc(window.First)}/{Utc(window.Last)}";

    private static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
