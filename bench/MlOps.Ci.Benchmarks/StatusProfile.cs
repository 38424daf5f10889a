using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Caching;
using MlOps.Ci.Data;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Registry;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Benchmarks;

/// <summary>
/// 'profile-status DEFINITION': where <c>mlops status</c> spends its time on a project with many unchanged data files
/// (bench/run.sh runs it when warm status misses its target). Each piece of PipelineRunner.Status is timed on its own, in
/// the order Status runs them: once cold, as the real one-shot process pays it (JIT included), then 3 times warm (median).
/// Rows marked "part of" re-time one ingredient of the row above it in isolation. Process start is not here: bench/run.sh
/// reports it as status on a 2-file project. The stat cache (obj/mlops/file-hashes.tsv) is only read, never written.
/// </summary>
public static class StatusProfile
{
    public static int Run(string definitionPath)
    {
        var rows = new List<(string Name, double ColdMs, List<double> WarmMs)>();
        var definition = PipelineRunner.LoadDefinition(definitionPath);
        var workspace = PipelineWorkspace.For(definition);
        var tsv = workspace.FileHashCachePath;
        var files = definition.TrainingData.Concat(definition.EvaluationData).ToList();
        var project = DataSource.ProjectDirectory(definition);
        FileHashCache hashes = null!;
        IReadOnlyList<DataSource> sources = [];
        InputFingerprints inputs = null!;

        var steps = new (string Name, Action Body)[]
        {
            ($"JSON definition parse: PipelineRunner.LoadDefinition ({files.Count:#,0} paths, {Megabytes(definitionPath)})", () => PipelineRunner.LoadDefinition(definitionPath)),
            ("DefinitionChecks.Check (trainer catalog, hyperparameter binding)", () => DefinitionChecks.Check(definition)),
            ($"FileHashCache.Load ({Megabytes(tsv)})", () => hashes = FileHashCache.Load(tsv)),
            ("  part of it: File.ReadLines only (no parsing)", () => { foreach (var _ in File.ReadLines(tsv)) { } }),
            ("  part of it: ReadLines + Split('\\t', 5) (no number parsing, no dictionary)", () => { foreach (var line in File.ReadLines(tsv)) _ = line.Split('\t', 5); }),
            ("ResolveData: File.Exists + DataSource.LocationOf (Path.GetRelativePath) per file", () => sources = files.Select((p, i) =>
            {
                if (!File.Exists(p))
                    throw new FileNotFoundException(p);
                return new DataSource(DataSource.LocationOf(p, project), i < definition.TrainingData.Count ? DataRole.Training : DataRole.Evaluation, p, false);
            }).ToList()),
            ("InputFingerprints.Compute (everything below)", () => inputs = InputFingerprints.Compute(definition, sources, hashes, EnvironmentInfo.Current)),
            ("  part of it: new FileInfo(path).Length per file", () => { foreach (var s in sources) _ = new FileInfo(s.LocalPath).Length; }),
            ("  part of it: FileHashCache.Fingerprint per file (GetFullPath + stat + lookup)", () => { foreach (var s in sources) _ = hashes.Fingerprint(s.LocalPath); }),
            ("  part of it: FileIdentity.Of per file (the stat(2) P/Invoke alone)", () => { foreach (var s in sources) _ = FileIdentity.Of(s.LocalPath); }),
            ("  part of it: Path.GetFullPath per file", () => { foreach (var s in sources) _ = Path.GetFullPath(s.LocalPath); }),
            ("Changes when there is no lock file (one InputChange per input)", () => _ = inputs.Data.Select(d => new InputChange(ChangeKind.Added, d.Location, d.Role, null, d.Fingerprint)).ToList()),
            ("ModelCache.LocateAsync with --cache-mode Off", () => _ = new ModelCache(new FolderModelRegistry(Path.GetTempPath()), null, CacheMode.Off, NullLogger.Instance)
                .LocateAsync(definition.ModelName, inputs.Model).GetAwaiter().GetResult()),
        };
        foreach (var (name, body) in steps)
            rows.Add((name, Time(body), []));
        var runner = new PipelineRunner(NullLogger.Instance, new RunOptions { LockMode = LockMode.None, CacheMode = CacheMode.Off });
        var whole = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < steps.Length; i++)
                rows[i].WarmMs.Add(Time(steps[i].Body));
            whole.Add(Time(() => runner.Status(definition)));
        }

        Console.WriteLine("| piece of `mlops status` | first call (cold, JIT included) ms | warm, median of 3, ms |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (name, cold, warm) in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {cold:0} | {Median(warm):0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| PipelineRunner.Status end to end (after the rows above, so JIT-warm; stat cache up to date) | | {Median(whole):0} |"));
        return 0;
    }

    private static double Time(Action body)
    {
        var watch = Stopwatch.StartNew();
        body();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Megabytes(string path) =>
        File.Exists(path) ? string.Create(CultureInfo.InvariantCulture, $"{new FileInfo(path).Length / 1e6:0.0} MB") : "missing";
}
