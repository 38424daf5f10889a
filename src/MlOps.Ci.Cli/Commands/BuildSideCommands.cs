using System.CommandLine;
using MlOps.Ci.Caching;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Training.Sweeps;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Cli.Commands;

/// <summary>The build-side verbs the MSBuild SDK calls (run, validate, train, evaluate, package) and status.</summary>
internal static class BuildSideCommands
{
    public static IEnumerable<Command> Create(GlobalOptions global)
    {
        var steps = new Option<string?>("--steps")
        {
            Description = "Comma-separated steps known to be out of date (validate,train,evaluate,package); steps that consume their outputs are added. Default: all.",
        };
        var through = new Option<PipelineStep>("--through") { Description = "The last step to run.", DefaultValueFactory = _ => PipelineStep.Package };
        var definition = new DefinitionOptions();
        var run = new Command("run", "Run the build-side steps in order, in one process (what the MSBuild targets call).") { steps, through };
        definition.AddTo(run);
        run.SetAction(parse => CommandOutput.Run(parse.GetValue(global.Json), () =>
        {
            var outOfDate = parse.GetValue(steps) is { Length: > 0 } list
                ? list.Split(',', ';').Where(s => s.Trim().Length > 0).Select(s => Enum.Parse<PipelineStep>(s.Trim(), ignoreCase: true)).ToList()
                : Enum.GetValues<PipelineStep>().ToList();
            var loaded = definition.Load(parse, readsInputs: PipelineRunner.FingerprintsInputs(outOfDate, definition.LockModeOf(parse)));
            var ran = definition.Runner(parse, global).RunOutOfDate(loaded, outOfDate, parse.GetValue(through));
            // The package is the run's result even when every step was up to date and nothing ran.
            var card = parse.GetValue(through) == PipelineStep.Package && File.Exists(loaded.PackagePath) ? ModelPackage.Read(loaded.PackagePath).Card : null;
            return new RunResult(true, ran, card is null ? null : loaded.PackagePath, card);
        }, StepOutputSelectors.Of));
        yield return run;

        foreach (var (name, step, description) in new (string, PipelineStep, string)[]
                 {
                     ("validate", PipelineStep.Validate, "Validate the data against the resolved schema (ValidateData)."),
                     ("train", PipelineStep.Train, "Train the model, or restore it from the model cache, and export it to ONNX (TrainModel)."),
                     ("evaluate", PipelineStep.Evaluate, "Score the evaluation data with the ONNX model and apply the quality gates (EvaluateModel)."),
                     ("package", PipelineStep.Package, "Write the model package and store it in the model cache (PackageModel)."),
                 })
        {
            var command = new Command(name, description);
            definition.AddTo(command);
            command.SetAction(parse => CommandOutput.Run(parse.GetValue(global.Json), () =>
            {
                var runner = definition.Runner(parse, global);
                // A single-step verb runs only that step (no lock check first, whatever the lock mode).
                var loaded = definition.Load(parse, readsInputs: PipelineRunner.FingerprintsInputs([step], LockMode.None));
                object report = step switch
                {
                    PipelineStep.Validate => runner.Validate(loaded),
                    PipelineStep.Train => runner.Train(loaded),
                    PipelineStep.Evaluate => runner.Evaluate(loaded),
                    _ => runner.Package(loaded).Card,
                };
                return report;
            }, StepOutputSelectors.Of));
            yield return command;
        }

        var exitCode = new Option<bool>("--exit-code") { Description = "Exit with 1 when the model is not up to date (for scripts and CI)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing unless something is wrong." };
        var status = new Command("status", "Say whether the model matches mlops.lock.json, which inputs changed, and whether a build would train.") { exitCode, quiet };
        definition.AddTo(status);
        status.SetAction(parse => CommandOutput.Run(parse.GetValue(global.Json), () =>
        {
            var report = definition.Runner(parse, global).Status(definition.Load(parse, readsInputs: true));
            if (!parse.GetValue(global.Json) && !parse.GetValue(quiet))
            {
                foreach (var line in report.Describe())
                    Console.Out.WriteLine(line);
            }
            return new StatusOutcome(report, parse.GetValue(exitCode) && !report.UpToDate);
        }));
        yield return status;
    }

    /// <summary>The options every build-side verb shares: the definition, the lock mode and the model caches.</summary>
    private sealed class DefinitionOptions
    {
        private readonly Option<FileInfo> _definition = new("--definition", "-d")
        {
            Description = "The pipeline definition (obj/mlops/pipeline.json, written by the MlOps.Ci SDK).",
            Required = true,
        };
        public LockMode LockModeOf(ParseResult parse) => parse.GetValue(_lockMode);

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
        private readonly Option<string?> _sweepShard = new("--sweep-shard")
        {
            Description = "i/n: run only this CI matrix job's share of the sweep's trials and store them in the cache; builds no model (the merge job runs without it).",
        };
        private readonly Option<string?> _sweepParallelism = new("--sweep-parallelism") { Description = "How many sweep fits run at once (default: the processor count)." };
        private readonly Option<string?> _ortNativeDirectory = new("--ort-native-directory")
        {
            Description = $"Under OrtFlavor=Gpu: the folder holding the GPU build's libonnxruntime.so (the SDK passes the restored package's; default: ${Runtime.OrtNativeLibrary.DirectoryVariable}, else the NuGet packages folder).",
        };
        private readonly Option<Runtime.ExecutionProvider?> _executionProvider = new("--execution-provider")
        {
            Description = "Where EvaluateModel scores the model, instead of the definition's ExecutionProvider: Cpu, Cuda, Auto or CudaRequired.",
        };

        public void AddTo(Command command)
        {
            command.Options.Add(_definition);
            command.Options.Add(_lockMode);
            command.Options.Add(_cacheMode);
            command.Options.Add(_cacheDirectory);
            command.Options.Add(_remoteCache);
            command.Options.Add(_sweepShard);
            command.Options.Add(_sweepParallelism);
            command.Options.Add(_ortNativeDirectory);
            command.Options.Add(_executionProvider);
        }

        /// <summary>The definition, with the command line's overrides; <paramref name="readsInputs"/>: the verb fingerprints the data.</summary>
        public PipelineDefinition Load(ParseResult parse, bool readsInputs = false)
        {
            var definition = PipelineRunner.LoadDefinition(parse.GetValue(_definition)!.FullName, preloadStatCache: readsInputs);
            return parse.GetValue(_executionProvider) is { } provider ? definition with { ExecutionProvider = provider } : definition;
        }

        public PipelineRunner Runner(ParseResult parse, GlobalOptions global) => new(new ConsoleLogger(parse.GetValue(global.Verbose), parse.GetValue(global.Json)), new RunOptions
        {
            LockMode = parse.GetValue(_lockMode),
            CacheMode = parse.GetValue(_cacheMode),
            CacheDirectory = NullIfEmpty(parse.GetValue(_cacheDirectory)),
            RemoteCache = NullIfEmpty(parse.GetValue(_remoteCache)) ?? NullIfEmpty(Environment.GetEnvironmentVariable("MLOPS_REMOTE_CACHE")),
            SweepShard = NullIfEmpty(parse.GetValue(_sweepShard)) is { } shard ? SweepShard.Parse(shard) : null,
            SweepParallelism = NullIfEmpty(parse.GetValue(_sweepParallelism)) is { } parallelism ? SweepShard.ParseParallelism(parallelism) : null,
            OrtNativeDirectory = OrtOptions.DirectoryFrom(parse, _ortNativeDirectory),
        });

        private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
