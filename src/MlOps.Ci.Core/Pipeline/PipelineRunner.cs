using Microsoft.Extensions.Logging;
using MlOps.Ci.Caching;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;
using MlOps.Ci.Registry;
using MlOps.Ci.Training;
using MlOps.Ci.Training.External;
using MlOps.Ci.Training.Sweeps;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Pipeline;

public enum PipelineStep
{
    Validate,
    Train,
    Evaluate,
    Package,
}

/// <summary>
/// The build side's one service: each step reads the definition and the previous steps' outputs from the intermediate
/// folder and writes its own atomically. MSBuild targets, the CLI and tests all call this.
/// </summary>
public sealed class PipelineRunner(ILogger logger, RunOptions? options = null)
{
    private readonly RunOptions _options = options ?? new RunOptions();

    public static PipelineDefinition LoadDefinition(string path) =>
        MlOpsJson.ReadFile<PipelineDefinition>(path, DiagnosticCodes.DefinitionInvalid,
            "The definition is written by the MlOps.Ci SDK from the project file; build the project again rather than editing it.");

    /// <summary>
    /// Reads the definition; when the caller will fingerprint the data (<see cref="FingerprintsInputs"/>), the stat cache
    /// is read on another thread meanwhile. The SDK writes the definition into the intermediate folder, where the stat
    /// cache is too, which saves about a quarter of a second on 100,000 data files; a definition kept elsewhere only
    /// wastes the preload.
    /// </summary>
    public static PipelineDefinition LoadDefinition(string path, bool preloadStatCache)
    {
        if (preloadStatCache)
            FileHashCache.Preload(new PipelineWorkspace(Path.GetDirectoryName(Path.GetFullPath(path))!).FileHashCachePath);
        return LoadDefinition(path);
    }

    /// <summary>Whether running these steps fingerprints the data: validation does, and a locked run checks the lock file first (<see cref="RunOutOfDate"/>).</summary>
    public static bool FingerprintsInputs(IEnumerable<PipelineStep> steps, LockMode lockMode) =>
        steps.Contains(PipelineStep.Validate) || lockMode == LockMode.Locked;

    public void Run(PipelineDefinition definition, IEnumerable<PipelineStep> steps)
    {
        foreach (var step in steps)
        {
            switch (step)
            {
                case PipelineStep.Validate:
                    Validate(definition);
                    break;
                case PipelineStep.Train when _options.SweepShard is { } shard:
                    // A shard job's result is its trials in the cache; the steps after training have no model to work on.
                    RunSweepShard(definition, shard);
                    return;
                case PipelineStep.Train:
                    Train(definition);
                    break;
                case PipelineStep.Evaluate:
                    Evaluate(definition);
                    break;
                case PipelineStep.Package:
                    Package(definition);
                    break;
            }
        }
    }

    /// <summary>
    /// Runs the steps the caller found out of date (MSBuild's Inputs/Outputs) in one process, adding those that consume
    /// a rerun step's output: a retrained model must be re-evaluated, and a new model or evaluation re-packaged. In
    /// Locked mode the lock file is checked first even when no step is out of date.
    /// </summary>
    public IReadOnlyList<PipelineStep> RunOutOfDate(PipelineDefinition definition, IReadOnlyCollection<PipelineStep> outOfDate, PipelineStep through)
    {
        var steps = new SortedSet<PipelineStep>(outOfDate.Where(s => s <= through));
        if (steps.Contains(PipelineStep.Train) && through >= PipelineStep.Evaluate)
            steps.Add(PipelineStep.Evaluate);
        if ((steps.Contains(PipelineStep.Train) || steps.Contains(PipelineStep.Evaluate)) && through >= PipelineStep.Package)
            steps.Add(PipelineStep.Package);
        if (_options.LockMode == LockMode.Locked && !steps.Contains(PipelineStep.Validate))
            Status(definition);
        Run(definition, steps);
        return steps.ToList();
    }

    public ValidationReport Validate(PipelineDefinition definition)
    {
        DefinitionChecks.Check(definition);
        var workspace = PipelineWorkspace.For(definition);
        // A failed validation must not leave an earlier report that would let later steps run on bad data.
        AtomicFile.TryDelete(workspace.ValidationReportPath);
        var lockFile = ReadLock(definition);
        var hashes = FileHashCache.Load(workspace.FileHashCachePath);
        var sources = ResolveData(definition, lockFile, hashes);
        var inputs = InputFingerprints.Compute(definition, sources, hashes, EnvironmentInfo.Current);
        if (_options.LockMode == LockMode.Locked)
            EnsureLocked(definition, lockFile, inputs);

        var report = DataValidator.Validate(definition, sources, hashes.Fingerprint) with { Inputs = inputs };
        hashes.Save();
        foreach (var warning in report.Warnings)
            logger.LogWarning("{Diagnostic}", warning);
        MlOpsJson.WriteFile(workspace.ValidationReportPath, report);
        logger.LogInformation("Validated {Files} data file(s), {Rows} rows, {Columns} columns ({Features} features). Model fingerprint {Fingerprint}.",
            report.Files.Count, report.Files.Sum(f => f.Rows), report.Schema.Columns.Count, report.Schema.Features.Count(), inputs.Model);
        return report;
    }

    /// <summary>Trains the model, or restores it from a cache when a model with the same fingerprint was built before.</summary>
    public TrainingReport Train(PipelineDefinition definition)
    {
        DefinitionChecks.Check(definition);
        UseOrtFlavor(definition);
        var workspace = PipelineWorkspace.For(definition);
        var validation = ReadValidation(definition);
        // Outputs of an earlier run must not outlive a failure of this one.
        foreach (var stale in new[] { workspace.ModelPath, workspace.TrainingReportPath, workspace.ProfilePath })
            AtomicFile.TryDelete(stale);
        var inputs = validation.Inputs ?? throw MlOpsException.Of(DiagnosticCodes.StepInputMissing, "validation.json has no input fingerprints.",
            new SourceLocation(workspace.ValidationReportPath), "Run the ValidateData target again.");
        DataGuard.EnsureUnchanged(validation, DataRole.Training);
        var external = ExternalTrainer.Handles(definition);
        if (external)
            TrainerInputFiles.EnsureUnchanged(definition, inputs);

        var report = RestoreFromCache(definition, workspace, inputs.Model);
        if (report is null && external)
        {
            report = ExternalTrainer.Train(definition, validation, logger);
            logger.LogInformation("Trained with the trainer command on {Rows} rows in {Seconds:0.00} s; its ONNX model passed the checks in {Check:0.00} s.",
                report.TrainingRows, report.TrainingSeconds, report.ExportSeconds);
        }
        else if (report is null)
        {
            report = definition.Sweeps.Count == 0 ? ModelTrainer.Train(definition, validation) : TrainSweepWinner(definition, validation);
            logger.LogInformation("Trained {Trainer} on {Rows} rows in {Seconds:0.00} s; exported ONNX in {Export:0.00} s.", report.Trainer, report.TrainingRows,
                report.TrainingSeconds, report.ExportSeconds);
        }
        if (_options.LockMode == LockMode.Update)
            LockFile.From(definition.ModelName, inputs).Write(LockFile.PathFor(definition.ProjectFile));
        return report;
    }

    /// <summary>Runs the sweep's trials (or reads them from the cache) and trains the final model on all training rows with the winner's parameters.</summary>
    private TrainingReport TrainSweepWinner(PipelineDefinition definition, ValidationReport validation)
    {
        if (_options.SweepShard is { } shard)
        {
            throw MlOpsException.Of(DiagnosticCodes.SweepShardInvalid, $"SweepShard {shard} runs trials only and trains no model.", new SourceLocation(definition.ProjectFile),
                "Run a shard with 'mlops run' or the TrainModel/Build targets, which stop after the trials.");
        }
        // One read of the training rows serves the trials' folds and the winner's training.
        var table = new Lazy<DataTable>(() => validation.LoadTable(DataRole.Training));
        var sweep = new SweepRunner(logger, OpenTrialStore(), _options.SweepParallelism).Run(definition, validation, table);
        return ModelTrainer.Train(SweepSpace.Apply(definition, sweep.WinningTrial.Parameters), validation, sweep, table.Value);
    }

    /// <summary>
    /// A CI matrix job's share of a sweep (SweepShard=i/n): its trials, stored in the cache for the merge job. It builds
    /// no model, so TrainModel ends there and the later steps do not run, and the build succeeds.
    /// </summary>
    private void RunSweepShard(PipelineDefinition definition, SweepShard shard)
    {
        DefinitionChecks.Check(definition);
        var where = new SourceLocation(definition.ProjectFile);
        if (definition.Sweeps.Count == 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.SweepShardInvalid, $"SweepShard is {shard}, but the project declares no <Sweep> items.", where,
                "Leave SweepShard out for projects without a sweep.");
        }
        if (_options.CacheMode == CacheMode.Off)
        {
            throw MlOpsException.Of(DiagnosticCodes.SweepShardInvalid, $"SweepShard is {shard} with MlOpsCacheMode=Off: a shard hands its trials to the merge job through the cache.",
                where, "Use MlOpsCacheMode=ReadWrite and a cache the merge job shares (MlOpsRemoteCache).");
        }
        var validation = ReadValidation(definition);
        DataGuard.EnsureUnchanged(validation, DataRole.Training);
        var trials = new SweepRunner(logger, OpenTrialStore(), _options.SweepParallelism).RunShard(definition, validation, shard);
        logger.LogInformation("Sweep shard {Shard}: {Trials} trial(s) are in the cache. A shard job builds no model: TrainModel stops here and EvaluateModel and "
            + "PackageModel do not run. The merge job (the same build without SweepShard) reads every shard's trials and trains the winner.", shard, trials.Count);
    }

    private TrialResultStore? _trialStore;

    private TrialResultStore? OpenTrialStore() => _options.CacheMode == CacheMode.Off ? null
        : _trialStore ??= new TrialResultStore(Path.Combine(CacheRoot, "sweeps"), OpenCache().Remote as OciModelRegistry, _options.CacheMode, logger);

    /// <summary>The local cache folder: the configured one, or the platform default.</summary>
    private string CacheRoot => _options.CacheDirectory ?? FolderModelRegistry.DefaultCacheRoot();

    public EvaluationReport Evaluate(PipelineDefinition definition)
    {
        DefinitionChecks.Check(definition);
        UseOrtFlavor(definition);
        var report = ModelEvaluator.Evaluate(definition, ReadValidation(definition), logger);
        logger.LogInformation("Evaluated the ONNX model on {Rows} rows on {Provider}: {Metrics}.", report.EvaluationRows, report.ExecutionProvider,
            string.Join(", ", report.Metrics.Select(m => $"{m.Key} {QualityGates.Format(m.Value)}")));
        if (report.FeatureImportance is { } importance)
        {
            logger.LogInformation("Computed permutation feature importance ({Metric} drop) of {Features} features on {Rows} rows in {Seconds:0.00} s; top: {Top}.",
                importance.Metric, importance.Features.Count, importance.Rows, report.ImportanceSeconds ?? 0,
                string.Join(", ", importance.Features.Take(3).Select(f => $"{f.Feature} {QualityGates.Format(f.MetricDrop)}")));
        }
        foreach (var gate in report.Gates)
            logger.LogInformation("Quality gate passed: {Gate}.", gate.Message);
        return report;
    }

    public ModelPackage Package(PipelineDefinition definition)
    {
        UseOrtFlavor(definition);
        var package = ModelPackager.Package(definition, ReadValidation(definition));
        var card = package.Card;
        logger.LogInformation("Packaged {Name} {Version} → {Path} (model {Fingerprint}).", card.Name, card.Version, definition.PackagePath, card.Fingerprints.Model);
        // A model restored from a cache is already there: storing its new package again would only add a blob per build.
        var restored = MlOpsJson.ReadFile<TrainingReport>(PipelineWorkspace.For(definition).TrainingReportPath, DiagnosticCodes.StepInputMissing,
            "Run the TrainModel target again.").RestoredFrom is not null;
        if (_options.CacheMode != CacheMode.Off && !restored)
        {
            OpenCache().StoreAsync(definition.PackagePath, new ModelAnnotations(card.Name, card.Version, card.Fingerprints.Model, card.Source.Commit, card.Metrics,
                card.Task.ToString())).GetAwaiter().GetResult();
        }
        return package;
    }

    /// <summary>
    /// Compares the current inputs with the lock file and says what the next build would do; changes nothing. In Locked
    /// mode a difference is an error (MLOPS6001), which is how CI builds check the lock on every run.
    /// </summary>
    public StatusReport Status(PipelineDefinition definition)
    {
        DefinitionChecks.Check(definition);
        var workspace = PipelineWorkspace.For(definition);
        var lockFile = ReadLock(definition);
        var hashes = FileHashCache.Load(workspace.FileHashCachePath);
        var inputs = InputFingerprints.Compute(definition, ResolveData(definition, lockFile, hashes), hashes, EnvironmentInfo.Current);
        hashes.Save();
        if (_options.LockMode == LockMode.Locked)
            EnsureLocked(definition, lockFile, inputs);
        var changes = lockFile?.Compare(inputs) ?? inputs.Data.Select(d => new InputChange(ChangeKind.Added, d.Location, d.Role, null, d.Fingerprint)).ToList();
        var built = File.Exists(workspace.TrainingReportPath) && File.Exists(workspace.ModelPath)
            && MlOpsJson.ReadFile<TrainingReport>(workspace.TrainingReportPath, DiagnosticCodes.StepInputMissing, "").ModelFingerprint == inputs.Model;
        var cachedIn = built ? null : OpenCache().LocateAsync(definition.ModelName, inputs.Model).GetAwaiter().GetResult();
        var next = built ? "nothing to train: the model in obj/mlops was built from these inputs"
            : cachedIn is not null ? $"restore the model from {cachedIn} without training" : $"train (no cached model has fingerprint {inputs.Model})";
        return new StatusReport(definition.ModelName, lockFile is not null && changes.Count == 0 && built, inputs.Model, lockFile?.Fingerprint, changes, built, cachedIn, next);
    }

    private TrainingReport? RestoreFromCache(PipelineDefinition definition, PipelineWorkspace workspace, string fingerprint)
    {
        if (_options.CacheMode == CacheMode.Off)
            return null;
        var temporary = Path.Combine(workspace.IntermediateDirectory, $".cached-{Guid.NewGuid():N}.mlpkg");
        try
        {
            var hit = OpenCache().TryRestoreAsync(definition.ModelName, fingerprint, temporary).GetAwaiter().GetResult();
            if (hit is null)
            {
                logger.LogInformation("No cached model has fingerprint {Fingerprint}: training.", fingerprint);
                return null;
            }
            var report = CachedModel.Restore(temporary, workspace, hit.Source);
            logger.LogInformation("Restored model {Fingerprint} from {Source}; training skipped.", fingerprint, hit.Source);
            return report;
        }
        finally
        {
            AtomicFile.TryDelete(temporary);
        }
    }

    private ModelCache? _cache;

    /// <summary>
    /// One cache for the run, shared by its steps. The remote cache retries less than an explicit push or pull would:
    /// it is an optimisation, and an unreachable one should cost a build seconds, not minutes.
    /// </summary>
    private ModelCache OpenCache()
    {
        if (_cache is not null)
            return _cache;
        var local = new FolderModelRegistry(CacheRoot, logger);
        IModelRegistry? remote = string.IsNullOrWhiteSpace(_options.RemoteCache) ? null
            : new OciModelRegistry(OciReference.Parse(_options.RemoteCache), new RegistryClientOptions { MaxRetries = 2 });
        return _cache = new ModelCache(local, remote, _options.CacheMode, logger);
    }

    private LockFile? ReadLock(PipelineDefinition definition) =>
        _options.LockMode == LockMode.None ? null : LockFile.Read(LockFile.PathFor(definition.ProjectFile));

    private IReadOnlyList<DataSource> ResolveData(PipelineDefinition definition, LockFile? lockFile, FileHashCache hashes)
    {
        var project = DataSource.ProjectDirectory(definition);
        var where = new SourceLocation(definition.ProjectFile);
        var fetcher = new DataFetcher(CacheRoot, hashes, logger);
        return definition.TrainingData.Select(p => (Path: p, Role: DataRole.Training)).Concat(definition.EvaluationData.Select(p => (Path: p, Role: DataRole.Evaluation)))
            .Select(item =>
            {
                // A missing local file is reported by InputFingerprints.Compute, whose one stat call per file also gives the size and the cached hash.
                if (!DataSource.IsRemoteLocation(item.Path))
                    return new DataSource(DataSource.LocationOf(item.Path, project), item.Role, item.Path, false);
                var pinned = lockFile?.Data.FirstOrDefault(d => d.Location == item.Path && d.Role == item.Role)?.Fingerprint;
                return fetcher.Resolve(item.Path, item.Role, pinned, _options.LockMode, where);
            }).ToList();
    }

    private static void EnsureLocked(PipelineDefinition definition, LockFile? lockFile, InputFingerprints inputs)
    {
        var lockPath = LockFile.PathFor(definition.ProjectFile);
        if (lockFile is null)
        {
            throw MlOpsException.Of(DiagnosticCodes.LockFileMissing, $"Locked mode, but there is no {LockFile.FileName} beside the project.", new SourceLocation(lockPath),
                "Build once without -p:MlOpsLockMode=Locked to write it, and commit it.");
        }
        var changes = lockFile.Compare(inputs);
        if (changes.Count > 0)
        {
            throw new MlOpsException(changes.Select(change => Diagnostic.Error(DiagnosticCodes.LockMismatch, $"Input does not match the lock file: {change}.",
                new SourceLocation(lockPath), "Build without Locked mode to update mlops.lock.json, and commit it with the change.")).ToList());
        }
    }

    /// <summary>
    /// Loads the ONNX Runtime build the definition asks for before a step's first ONNX Runtime call (training checks an
    /// external model, evaluation scores, packaging reads the graph's signature). Once per process; a no-op after that.
    /// </summary>
    private void UseOrtFlavor(PipelineDefinition definition)
    {
        Runtime.OrtNativeLibrary.Use(definition.OrtFlavor, _options.OrtNativeDirectory);
        if (definition.OrtFlavor == Runtime.OrtFlavor.Gpu)
            logger.LogDebug("ONNX Runtime: the GPU build from {Directory}.", Runtime.OrtNativeLibrary.Directory);
    }

    private static ValidationReport ReadValidation(PipelineDefinition definition)
    {
        var path = PipelineWorkspace.For(definition).ValidationReportPath;
        if (!File.Exists(path))
        {
            throw MlOpsException.Of(DiagnosticCodes.StepInputMissing, "The data has not been validated yet.", new SourceLocation(definition.ProjectFile),
                "Run the ValidateData target first (a plain 'dotnet build' runs every step).");
        }
        return MlOpsJson.ReadFile<ValidationReport>(path, DiagnosticCodes.StepInputMissing, "Run the ValidateData target again.");
    }
}
