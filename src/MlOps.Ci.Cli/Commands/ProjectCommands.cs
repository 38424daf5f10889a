using System.CommandLine;
using System.Diagnostics;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Packaging;

namespace MlOps.Ci.Cli.Commands;

/// <summary><c>mlops build</c>: runs the MSBuild pipeline of a model project, then reports the package it produced.</summary>
internal static class ProjectCommands
{
    public static Command Create(GlobalOptions global)
    {
        var project = new Argument<string?>("project")
        {
            Description = $"The model project (or its folder); default: ${EnvironmentDefaults.Project}, else the current folder.",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => EnvironmentDefaults.Get(EnvironmentDefaults.Project),
        };
        var properties = new Option<string[]>("--property", "-p") { Description = "MSBuild properties, e.g. -p Trainer=LightGbm.", AllowMultipleArgumentsPerToken = true };
        var target = new Option<string>("--target", "-t") { Description = "The target to build (Build, TrainModel, ValidateData, …).", DefaultValueFactory = _ => "Build" };
        var build = new Command("build", "Run the model project's build-side pipeline with MSBuild (dotnet build) and report its package.") { project, properties, target };
        build.SetAction(parse => CommandOutput.Run(parse.GetValue(global.Json), () =>
        {
            var json = parse.GetValue(global.Json);
            var arguments = new List<string> { "build" };
            if (parse.GetValue(project) is { Length: > 0 } path)
                arguments.Add(path);
            arguments.AddRange(["-nologo", $"-t:{parse.GetValue(target)}"]);
            arguments.AddRange((parse.GetValue(properties) ?? []).Select(p => $"-p:{p}"));
            var exitCode = Dotnet(arguments, toStandardError: json);
            var packagePath = Evaluate(parse.GetValue(project), "ModelPackagePath");
            if (exitCode != 0)
            {
                throw MlOpsException.Of(DiagnosticCodes.StepInputMissing, $"dotnet build failed with exit code {exitCode}; its errors are above.", null,
                    "Fix the errors the build reported (each names its MLOPS code, file and line).");
            }
            if (parse.GetValue(target) != "Build" || !File.Exists(packagePath))
                return new { succeeded = true, target = parse.GetValue(target) };
            return new BuildResult(packagePath, ModelPackage.Read(packagePath).Card);
        }, result => result is BuildResult built ? StepOutputSelectors.OfCard(built.Card, built.Package) : []));
        return build;
    }

    private static int Dotnet(IEnumerable<string> arguments, bool toStandardError)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet");
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.RedirectStandardOutput = true;
        start.Environment[CurrentCiHost.Override] = "none";
        using var process = Process.Start(start)!;
        // The build's MLOPS diagnostics also go to the CI host as annotations on their file and line (MSBuild repeats
        // each error in its summary: report it once). With --json, stdout carries the document, so the build's own
        // output goes to stderr.
        var host = CurrentCiHost.Get(toStandardError);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            (toStandardError ? Console.Error : Console.Out).WriteLine(e.Data);
            if (Diagnostic.TryParse(e.Data, out var diagnostic) && reported.Add(diagnostic.ToString()))
                host.Report(diagnostic);
        };
        process.BeginOutputReadLine();
        process.WaitForExit();
        return process.ExitCode;
    }

    private static string Evaluate(string? project, string property)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "msbuild", project ?? "", $"-getProperty:{property}", "-nologo" }.Where(a => a.Length > 0))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var value = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return value;
    }
}

/// <summary>What <c>mlops build</c> returns for a full build: the package and its card (the --json document).</summary>
internal sealed record BuildResult(string Package, ModelCard Card)
{
    public bool Succeeded => true;
    public string Name => Card.Name;
    public string Version => Card.Version;
    public string Fingerprint => Card.Fingerprints.Model;
    public IReadOnlyDictionary<string, double> Metrics => Card.Metrics;
    public bool GatePassed => Card.Gates.All(g => g.Passed);
    public IReadOnlyList<Evaluation.GateVerdict> Gates => Card.Gates;

    [System.Text.Json.Serialization.JsonIgnore]
    public ModelCard Card { get; } = Card;
}
