using System.Globalization;
using System.Text;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using MlOps.Ci.Benchmarks;

// 'generate DIR' writes the benchmark inputs into DIR (bench/run.sh does this once so md5sum and the benchmarks read
// the same bytes); 'profile DIR' prints a Stopwatch breakdown of validation, 'profile-status DEFINITION' one of
// 'mlops status' (StatusProfile.cs), and 'time-validate DIR N' times N runs of Validate (min and median; quick A/B
// comparisons between builds, see Profile.cs); anything else goes to BenchmarkDotNet (e.g. --filter '*').
if (args is ["generate", var folder])
{
    Directory.CreateDirectory(folder);
    Console.WriteLine(BenchData.EnsureValidationCsv(folder));
    Console.WriteLine(BenchData.EnsureHashFile(folder));
    return 0;
}
if (args is ["profile", var profileFolder])
    return Profile.Run(profileFolder);
if (args is ["profile-status", var definitionPath])
    return StatusProfile.Run(definitionPath);
if (args is ["time-validate", var timeFolder, var count])
    return Profile.TimeValidate(timeFolder, int.Parse(count, System.Globalization.CultureInfo.InvariantCulture));

// 'time-score PACKAGE CSV OUT RUNS [PARALLELISM] [CHUNK_ROWS]', 'profile-score PACKAGE CSV [ROWS]' and 'train-model DATA_DIR TRAINER DIR' (the
// sample's data with another trainer): batch scoring (ScoringProfile.cs).
if (args is ["time-score", var scorePackage, var scoreInput, var scoreOutput, var scoreRuns, .. var scoreRest])
{
    var invariant = System.Globalization.CultureInfo.InvariantCulture;
    return ScoringProfile.Time(scorePackage, scoreInput, scoreOutput, int.Parse(scoreRuns, invariant),
        scoreRest.Length > 0 ? int.Parse(scoreRest[0], invariant) : Environment.ProcessorCount, scoreRest.Length > 1 ? int.Parse(scoreRest[1], invariant) : 16_384);
}
if (args is ["train-model", var trainData, var trainer, var trainFolder])
    return ScoringProfile.Train(trainData, trainer, trainFolder);
if (args is ["profile-score", var profilePackage, var profileInput, .. var profileRest])
    return ScoringProfile.Profile(profilePackage, profileInput, profileRest.Length > 0 ? int.Parse(profileRest[0], System.Globalization.CultureInfo.InvariantCulture) : 65_536);

// 'drift-data DIR TRAIN_CSV ROWS' and 'time-drift PACKAGE LOG RUNS': drift over a large request log (DriftBench.cs, bench/drift.sh).
if (args is ["drift-data", var driftFolder, var driftTraining, var driftRows])
    return DriftBench.Generate(driftFolder, driftTraining, long.Parse(driftRows, System.Globalization.CultureInfo.InvariantCulture));
if (args is ["time-drift", var driftPackage, var driftLog, var driftRuns])
    return DriftBench.Time(driftPackage, driftLog, int.Parse(driftRuns, System.Globalization.CultureInfo.InvariantCulture));

var config = DefaultConfig.Instance
    .AddColumn(StatisticColumn.Median, new ThroughputColumn());
var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchData).Assembly).Run(args, config).ToList();

// MLOPS_BENCH_SUMMARY: one tab-separated line per benchmark, for bench/run.sh to read without parsing reports.
if (Environment.GetEnvironmentVariable("MLOPS_BENCH_SUMMARY") is { Length: > 0 } summaryPath)
{
    var lines = new StringBuilder("benchmark\tmedian_ns_per_op\tmean_ns_per_op\toperations_per_invoke\tallocated_bytes_per_op\tthroughput\n");
    foreach (var summary in summaries)
    {
        foreach (var report in summary.Reports)
        {
            if (report.ResultStatistics is not { } statistics)
                continue;
            var benchmark = report.BenchmarkCase;
            var allocated = report.GcStats.GetBytesAllocatedPerOperation(benchmark);
            lines.Append(CultureInfo.InvariantCulture,
                $"{benchmark.Descriptor.Type.Name}.{benchmark.Descriptor.WorkloadMethod.Name}\t{statistics.Median:R}\t{statistics.Mean:R}\t{benchmark.Descriptor.OperationsPerInvoke}\t{allocated?.ToString(CultureInfo.InvariantCulture) ?? "NA"}\t{ThroughputColumn.Format(benchmark, statistics.Median)}\n");
        }
    }
    File.WriteAllText(summaryPath, lines.ToString());
}
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
