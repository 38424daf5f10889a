using System.CommandLine;
using MlOps.Ci.Caching;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Cli;

/// <summary>
/// The verbs of the <c>mlops</c> command. Each maps its arguments to a Core call and nothing more.
/// Exit codes: 0 success, 1 a diagnosed failure (bad input, failed gate, out-of-date model with --exit-code), 2 a usage
/// error, 3 an internal error.
/// </summary>
public static class CliApplication
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int UsageError = 2;
    public const int InternalError = 3;

    public static int Run(string[] args)
    {
        var root = new RootCommand("MlOps.Ci: the machine-learning lifecycle as build steps.");
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print debug detail." };
        root.Options.Add(verbose);
        var build = new BuildOptions();

        var stepsOption = new Option<string?>("--steps")
        {
            Description = "Comma-separated steps known to be out of date (validate,train,evaluate,package); steps that consume their outputs are added. Default: all.",
        };
        var throughOption = new Option<PipelineStep>("--through") { Description = "The last step to run.", DefaultValueFactory = _ => PipelineStep.Package };
        var run = new Command("run", "Run the build-side steps in order, in one process (what the MSBuild targets call).") { stepsOption, throughOption };
        build.AddTo(run);
        run.SetAction(parse => Guard(() =>
        {
            var runner = new PipelineRunner(new ConsoleLogger(parse.GetValue(verbose)), build.Read(parse));
            var steps = parse.GetValue(stepsOption) is { Length: > 0 } list
                ? list.Split(',', ';').Where(s => s.Trim().Length > 0).Select(s => Enum.Parse<PipelineStep>(s.Trim(), ignoreCase: true)).ToList()
                : Enum.GetValues<PipelineStep>().ToList();
            runner.RunOutOfDate(PipelineRunner.LoadDefinition(build.DefinitionPath(parse)), steps, parse.GetValue(throughOption));
            return Success;
        }));
        root.Subcommands.Add(run);

        foreach (var (name, steps, description) in new (string, PipelineStep[], string)[]
                 {
                     ("validate", [PipelineStep.Validate], "Validate the data against the resolved schema (ValidateData)."),
                     ("train", [PipelineStep.Train], "Train the model, or restore it from the model cache, and export it to ONNX (TrainModel)."),
                     ("evaluate", [PipelineStep.Evaluate], "Score the evaluation data with the ONNX model and apply the quality gates (EvaluateModel)."),
                     ("package", [PipelineStep.Package], "Write the model package and store it in the model cache (PackageModel)."),
                 })
        {
            var command = new Command(name, description);
            build.AddTo(command);
            command.SetAction(parse => Guard(() =>
            {
                var runner = new PipelineRunner(new ConsoleLogger(parse.GetValue(verbose)), build.Read(parse));
                runner.Run(PipelineRunner.LoadDefinition(build.DefinitionPath(parse)), steps);
                return Success;
            }));
            root.Subcommands.Add(command);
        }

        var json = new Option<bool>("--json") { Description = "Print the report as JSON." };
        var exitCode = new Option<bool>("--exit-code") { Description = "Exit with 1 when the model is not up to date (for scripts and CI)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing unless something is wrong." };
        var status = new Command("status", "Say whether the model matches mlops.lock.json, which inputs changed, and whether a build would train.") { json, exitCode, quiet };
        build.AddTo(status);
        status.SetAction(parse => Guard(() =>
        {
            var runner = new PipelineRunner(new ConsoleLogger(parse.GetValue(verbose)), build.Read(parse));
            var report = runner.Status(PipelineRunner.LoadDefinition(build.DefinitionPath(parse)));
            if (parse.GetValue(quiet))
            {
            }
            else if (parse.GetValue(json))
                Console.Out.Write(MlOpsJson.Serialize(report));
            else
                foreach (var line in report.Describe())
                    Console.Out.WriteLine(line);
            return parse.GetValue(exitCode) && !report.UpToDate ? Failed : Success;
        }));
        root.Subcommands.Add(status);

        var packagePath = new Argument<FileInfo>("package") { Description = "A model package (.mlpkg)." };
        var inspect = new Command("inspect", "Print a model package's model card as JSON.") { packagePath };
        inspect.SetAction(parse => Guard(() =>
        {
            Console.Out.Write(MlOpsJson.Serialize(ModelPackage.Read(parse.GetValue(packagePath)!.FullName).Card));
            return Success;
        }));
        root.Subcommands.Add(inspect);

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
                Console.Error.WriteLine($"mlops: error: {error.Message}");
            Console.Error.WriteLine("Run 'mlops --help' for usage.");
            return UsageError;
        }
        return result.Invoke();
    }

    private static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (MlOpsException exception)
        {
            foreach (var diagnostic in exception.Diagnostics)
                Console.Error.WriteLine(diagnostic);
            return Failed;
        }
        catch (Exception exception)
        {
            Console.Error.WriteLine(Diagnostic.Error(DiagnosticCodes.InternalError, $"Internal error: {exception.Message}",
                hint: "This is a bug in MlOps.Ci; please report it with the output of a --verbose run."));
            Console.Error.WriteLine(exception);
            return InternalError;
        }
    }

    /// <summary>The options every build-side verb shares: the definition, the lock mode and the model caches.</summary>
    private sealed class BuildOptions
    {
        private readonly Option<FileInfo> _definition = new("--definition", "-d")
        {
            Description = "The pipeline definition (obj/mlops/pipeline.json, written by the MlOps.Ci SDK).",
            Required = true,
        };
        private readonly Option<LockMode> _lockMode = new("--lock-mode")
        {
            Description = "Update: keep mlops.lock.json current. Locked: fail when inputs differ from it (CI). None: ignore it.",
            DefaultValueFactory = _ => LockMode.Update,
        };
        private readonly Option<CacheMode> _cacheMode = new("--cache-mode")
        {
            Description = "ReadWrite (default), Read (never write the remote cache) or Off (always train).",
            DefaultValueFactory = _ => CacheMode.ReadWrite,
        };
        private readonly Option<string?> _cacheDirectory = new("--cache-dir") { Description = "The local model cache (default: $MLOPS_CACHE_DIR or the user's cache folder)." };
        private readonly Option<string?> _remoteCache = new("--remote-cache") { Description = "A remote model cache: oci://host[:port]/repository (default: $MLOPS_REMOTE_CACHE)." };

        public void AddTo(Command command)
        {
            command.Options.Add(_definition);
            command.Options.Add(_lockMode);
            command.Options.Add(_cacheMode);
            command.Options.Add(_cacheDirectory);
            command.Options.Add(_remoteCache);
        }

        public string DefinitionPath(ParseResult parse) => parse.GetValue(_definition)!.FullName;

        public RunOptions Read(ParseResult parse) => new()
        {
            LockMode = parse.GetValue(_lockMode),
            CacheMode = parse.GetValue(_cacheMode),
            CacheDirectory = NullIfEmpty(parse.GetValue(_cacheDirectory)),
            RemoteCache = NullIfEmpty(parse.GetValue(_remoteCache)) ?? NullIfEmpty(Environment.GetEnvironmentVariable("MLOPS_REMOTE_CACHE")),
        };

        private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
