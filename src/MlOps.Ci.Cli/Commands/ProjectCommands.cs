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
        var project = new Argument<string?>("project") { Description = "The model project (or its folder); default: the current folder.", Arity = ArgumentArity.ZeroOrOne };
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
            var card = ModelPackage.Read(packagePath).Card;
            return new
            {
                succeeded = true,
                package = packagePath,
                card.Name,
                card.Version,
                fingerprint = card.Fingerprints.Model,
                card.Metrics,
                gatePassed = card.Gates.All(g => g.Passed),
                card.Gates,
            };
        }));
        return build;
    }

    private static int Dotnet(IEnumerable<string> arguments, bool toStandardError)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = toStandardError,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        if (toStandardError)
        {
            // stdout carries the --json document: the build's own output goes to stderr.
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
            process.BeginOutputReadLine();
        }
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
