using System.CommandLine;
using MlOps.Ci.Automation;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;
using MlOps.Ci.Registry;
using MlOps.Ci.Reporting;

namespace MlOps.Ci.Cli.Commands;

/// <summary>What <c>mlops report</c> returns: the verdict, where the markdown went, and the comparison itself.</summary>
internal sealed record ReportResult(bool Passed, string Summary, string ReportPath, string PackagePath, PullRequestPublication? Published,
    string? NotPublishedBecause, ComparisonReport Comparison, [property: System.Text.Json.Serialization.JsonIgnore] ModelCard Card);

/// <summary>
/// <c>mlops report</c>: the pull-request quality gate. Compares the candidate package with a baseline, writes the
/// markdown report, adds it to the CI run's summary, posts it to the pull request (one comment updated in place, and
/// a check run or PR status) when the CI host has one, and exits 1 when a gate fails.
/// </summary>
internal static class ReportCommand
{
    public enum PublishMode
    {
        /// <summary>Post to the pull request when there is one; say why not otherwise (a warning when posting fails).</summary>
        Auto,
        /// <summary>Posting is required: no pull request, no token or a failed post is an error.</summary>
        Always,
        Never,
    }

    public static Command Create(GlobalOptions global)
    {
        var package = new Option<string?>("--package", "-p")
        {
            Description = "The candidate model package (default: $MLOPS_PACKAGE).",
            DefaultValueFactory = _ => EnvironmentDefaults.Get(EnvironmentDefaults.Package),
        };
        var baseline = new Option<string?>("--baseline", "-b")
        {
            Description = "The baseline: a .mlpkg path, or a tag of the same model in the registry such as 'production' or 'main' (default: $MLOPS_BASELINE). None: only absolute bounds gate.",
            DefaultValueFactory = _ => EnvironmentDefaults.Get(EnvironmentDefaults.Baseline),
        };
        var registry = new Option<string?>("--registry", "-r") { Description = "Where a baseline tag is looked up: oci://host[:port]/repository or a folder (default: $MLOPS_REGISTRY, else the local folder registry)." };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Where to write the markdown report (default: mlops-report.md in the current folder)." };
        var publish = new Option<PublishMode>("--publish") { Description = "Post to the pull request: Auto (when there is one), Always (required), Never.", DefaultValueFactory = _ => PublishMode.Auto };
        var command = new Command("report", "Compare the candidate package with a baseline, gate on absolute bounds and on regression, and report to the pull request.")
        {
            package, baseline, registry, output, publish,
        };
        command.SetAction(parse => CommandOutput.Run(parse.GetValue(global.Json), () =>
        {
            var json = parse.GetValue(global.Json);
            var host = CurrentCiHost.Get(json);
            var packagePath = parse.GetValue(package) is { Length: > 0 } given ? Path.GetFullPath(given)
                : throw MlOpsException.Of(DiagnosticCodes.PackageInvalid, "No candidate package: give --package or set MLOPS_PACKAGE.",
                    hint: "The build writes it to bin/<Configuration>/<ModelName>.mlpkg; the Action's 'package' input sets MLOPS_PACKAGE.");
            var candidate = ModelPackage.Read(packagePath);

            var notes = new List<Diagnostic>();
            var (baselinePackage, baselineSource) = Baselines.Load(parse.GetValue(baseline), parse.GetValue(registry), candidate.Card.Name, notes);
            var comparison = ModelComparison.Compare(candidate, baselinePackage, baselineSource, notes);
            var quality = ReportMarkdown.ToQualityReport(comparison);

            var reportPath = parse.GetValue(output)?.FullName ?? Path.GetFullPath("mlops-report.md");
            AtomicFile.WriteAllText(reportPath, quality.Markdown);
            host.AppendSummary(quality.Markdown);
            foreach (var note in notes)
                Surface(host, note);

            var (published, notPublishedBecause) = Publish(host, quality, parse.GetValue(publish));
            if (!json)
            {
                Console.Out.WriteLine(quality.Summary);
                Console.Out.WriteLine($"Report: {reportPath}");
                Console.Out.WriteLine(published is not null ? $"Pull request: {published.CommentUrl} ({(published.CommentUpdated ? "updated" : "created")})"
                    : $"Not posted to a pull request: {notPublishedBecause}.");
            }
            foreach (var (metric, gate) in comparison.FailedGates)
            {
                Surface(host, Diagnostic.Error(gate.Kind == GateCheck.Regression ? DiagnosticCodes.RegressionGateFailed : DiagnosticCodes.GateFailed,
                    $"Quality gate failed: {gate.Message}.", null,
                    gate.Kind == GateCheck.Regression
                        ? $"Improve the model, or change MaxDecrease/MaxIncrease of <QualityGate Include=\"{metric.Metric}\" /> if the change is intended."
                        : "Improve the model or its data, or change the QualityGate bound if it no longer fits."));
            }
            var result = new ReportResult(comparison.Passed, quality.Summary, reportPath, packagePath, published, notPublishedBecause, comparison, candidate.Card);
            return new StatusOutcome(result, !comparison.Passed, quality.Summary);
        }, result => result is ReportResult report
            ? StepOutputSelectors.OfCard(report.Card, report.PackagePath)
                .Where(o => o.Key != StepOutputs.GatePassed)
                .Append(new(StepOutputs.GatePassed, report.Passed ? "true" : "false"))
                .Append(new(StepOutputs.ReportPath, report.ReportPath))
            : []));
        return command;
    }

    private static (PullRequestPublication? Published, string? Reason) Publish(ICiHost host, QualityReport report, PublishMode mode)
    {
        if (mode == PublishMode.Never)
            return (null, "--publish Never");
        var publisher = host.PullRequest(out var reason);
        if (publisher is null)
        {
            if (mode == PublishMode.Always)
            {
                throw MlOpsException.Of(DiagnosticCodes.ReportNotPublished, $"The report cannot be posted to a pull request: {reason}.",
                    hint: "Run in a pull-request build with a token that may write comments and checks, or use --publish Auto.");
            }
            return (null, reason);
        }
        using var disposal = publisher as IDisposable;
        try
        {
            return (publisher.PublishAsync(report).GetAwaiter().GetResult(), null);
        }
        catch (MlOpsException exception) when (mode == PublishMode.Auto)
        {
            // The gate, not the comment, decides the build: a fork's read-only token must not turn a passing model red.
            foreach (var diagnostic in exception.Diagnostics)
                Surface(host, diagnostic with { Severity = DiagnosticSeverity.Warning });
            return (null, exception.Diagnostics[0].Message);
        }
    }

    private static void Surface(ICiHost host, Diagnostic diagnostic)
    {
        Console.Error.WriteLine(diagnostic);
        host.Report(diagnostic);
    }
}
