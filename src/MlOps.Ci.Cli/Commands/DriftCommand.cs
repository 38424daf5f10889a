using System.CommandLine;
using MlOps.Ci.Automation;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Drift;
using MlOps.Ci.Packaging;

namespace MlOps.Ci.Cli.Commands;

/// <summary>
/// <c>mlops drift</c>: compares live inputs (the serving host's request log, or a CSV) with the package's training
/// profile. Prints the report (the whole <see cref="DriftReport"/> with --json), adds its markdown to the CI run's
/// summary, annotates each drifted feature, publishes <c>drifted</c> and <c>retrain</c>, and exits 1 when retraining
/// is advised (0 otherwise, drift below the retraining bound included), so a scheduled workflow can act on either.
/// </summary>
internal static class DriftCommand
{
    /// <summary>The default of --input, as the Action and the task pass it.</summary>
    public const string InputVariable = "MLOPS_DRIFT_INPUT";

    public static Command Create(GlobalOptions global)
    {
        var package = EnvironmentDefaults.PackageOption("The model package whose training profile is the reference");
        var input = new Option<FileInfo?>("--input", "-i")
        {
            Description = $"The serving host's JSON-lines request log, or a CSV of the feature columns (default: ${InputVariable}).",
            DefaultValueFactory = _ => EnvironmentDefaults.FileFrom(InputVariable),
        };
        var markdown = new Option<FileInfo?>("--markdown", "-m") { Description = "Also write the markdown report to this file (it always goes to the CI run's summary)." };
        var html = new Option<FileInfo?>("--html") { Description = "Also write a self-contained HTML report (a chart per drifted feature) to this file, e.g. for a build artifact." };
        var thresholds = new Option<string[]>("--threshold", "-t")
        {
            Description = "Override a threshold: COLUMN:CHECK=VALUE[,CHECK=VALUE] with CHECK one of Psi, KsStatistic, ChiSquarePValue, MissingRateIncrease, OutOfRangeShare; COLUMN '*' for every feature. Replaces the package's thresholds.",
            AllowMultipleArgumentsPerToken = true,
        };
        var minDrifted = new Option<int>("--min-drifted-features") { Description = "Advise retraining when at least this many features drifted (drifted predictions count as one).", DefaultValueFactory = _ => 1 };
        var allVersions = new Option<bool>("--all-versions") { Description = "Read log lines of every version of the model as the package's (when the model did not change between them)." };
        var format = new Option<DriftInputFormat>("--format") { Description = "How to read --input: Auto (by extension, then content), JsonLines or Csv.", DefaultValueFactory = _ => DriftInputFormat.Auto };
        var command = new Command("drift", "Compare live inputs with the package's training-data profile; exit 1 when retraining is advised.")
        {
            package, input, markdown, html, thresholds, minDrifted, allVersions, format,
        };
        var retrain = new DriftRetrain();
        retrain.AddTo(command);
        command.SetAction(parse =>
        {
            var json = parse.GetValue(global.Json);
            string? markdownPath = null;
            return CommandOutput.Run(json, () =>
            {
                var host = CurrentCiHost.Get(json);
                var packagePath = EnvironmentDefaults.RequirePackage(parse.GetValue(package)).FullName;
                var inputPath = parse.GetValue(input)?.FullName ?? throw MlOpsException.Of(DiagnosticCodes.DriftInputNotFound,
                    $"No live data: give --input or set {InputVariable}.", hint: "Point it at the serving host's request log (its --request-log path) or a CSV of recent inputs.");
                var options = new DriftOptions
                {
                    Thresholds = ParseThresholds(parse.GetValue(thresholds) ?? []),
                    MinDriftedFeatures = parse.GetValue(minDrifted),
                    IncludeOtherVersions = parse.GetValue(allVersions),
                    Format = parse.GetValue(format),
                };
                var report = DriftDetector.Analyze(ModelPackage.Read(packagePath), inputPath, options, packagePath);

                if (parse.GetValue(html) is { } htmlFile)
                    DriftHtmlReport.Write(report, htmlFile.FullName);
                markdownPath = ReportOutputs.Publish(host, DriftMarkdown.Render(report), parse.GetValue(markdown), report.Findings());
                if (!json)
                {
                    Console.Out.WriteLine(report.Summary);
                    foreach (var feature in report.Features)
                        Console.Out.WriteLine($"  {feature.Column,-24} PSI {feature.Psi,7:0.000}{(feature.Ks is { } ks ? $"  KS {ks:0.000}" : "")}{(feature.Drifted ? "  DRIFTED" : "")}");
                    if (report.Prediction is { } predicted)
                        Console.Out.WriteLine($"  {"(prediction) " + predicted.Column,-24} PSI {predicted.Psi,7:0.000}{(predicted.Ks is { } predictedKs ? $"  KS {predictedKs:0.000}" : "")}{(predicted.Drifted ? "  DRIFTED" : "")}");
                    if (markdownPath is not null)
                        Console.Out.WriteLine($"Report: {markdownPath}");
                    if (parse.GetValue(html) is { } written)
                        Console.Out.WriteLine($"HTML report: {written.FullName}");
                }
                retrain.DispatchIfAdvised(parse, report, parse.GetValue(global.Verbose), json);
                return new StatusOutcome(report, report.Retrain, report.Summary);
            }, result => result is DriftReport report ? Outputs(report, markdownPath) : []);
        });
        return command;
    }

    private static IEnumerable<KeyValuePair<string, string>> Outputs(DriftReport report, string? markdownPath)
    {
        yield return new(StepOutputs.Drifted, report.Drifted ? "true" : "false");
        yield return new(StepOutputs.Retrain, report.Retrain ? "true" : "false");
        if (markdownPath is not null)
            yield return new(StepOutputs.ReportPath, markdownPath);
    }

    /// <summary>Reads <c>COLUMN:CHECK=VALUE[,CHECK=VALUE]</c>; the column may itself hold ':' (the last one separates).</summary>
    internal static IReadOnlyList<DriftThreshold> ParseThresholds(IEnumerable<string> values)
    {
        var result = new List<DriftThreshold>();
        foreach (var value in values)
        {
            var colon = value.LastIndexOf(':');
            if (colon <= 0)
                throw Invalid(value, "it has no 'COLUMN:' before the checks");
            var threshold = new DriftThreshold(value[..colon].Trim());
            foreach (var part in value[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = part.IndexOf('=');
                if (equals <= 0 || !double.TryParse(part[(equals + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number)
                    || !double.IsFinite(number) || number < 0)
                {
                    throw Invalid(value, $"'{part}' is not CHECK=NUMBER (a number ≥ 0, '.' for decimals)");
                }
                threshold = part[..equals].Trim().ToLowerInvariant() switch
                {
                    "psi" => threshold with { Psi = number },
                    "ks" or "ksstatistic" => threshold with { KsStatistic = number },
                    "chisquarepvalue" or "pvalue" => threshold with { ChiSquarePValue = number },
                    "missingrateincrease" => threshold with { MissingRateIncrease = number },
                    "outofrangeshare" => threshold with { OutOfRangeShare = number },
                    _ => throw Invalid(value, $"'{part[..equals]}' is not a check"),
                };
            }
            result.Add(threshold);
        }
        return result;
    }

    private static MlOpsException Invalid(string value, string why) => MlOpsException.Of(DiagnosticCodes.DriftThresholdInvalid,
        $"--threshold '{value}' cannot be read: {why}.", hint: "Write COLUMN:CHECK=VALUE, e.g. --threshold '*:Psi=0.25' --threshold 'Tenure:Psi=0.1,KsStatistic=0.15'.");
}
