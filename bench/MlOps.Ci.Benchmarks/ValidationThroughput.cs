using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using MlOps.Ci.Data;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Benchmarks;

/// <summary>
/// DataValidator.Validate on a 1,000,000-row, 20-column CSV (single-threaded engine). One operation is one row, so the
/// Mean/Median columns are per row and the Throughput column is rows per second. Validate also fingerprints the file
/// (ContentHash.OfFile), as it does in a real build.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ValidationThroughput
{
    private string? _privateFolder;
    private PipelineDefinition _definition = null!;

    [GlobalSetup]
    public void Setup()
    {
        var folder = BenchData.SharedFolder ?? (_privateFolder = BenchData.NewPrivateFolder());
        var csv = BenchData.EnsureValidationCsv(folder);
        var work = Path.Combine(folder, "validation-work");
        _definition = new PipelineDefinition
        {
            ModelName = "bench",
            ModelTask = ModelTask.BinaryClassification,
            LabelColumn = "Label",
            TrainingData = [csv],
            ProjectFile = Path.Combine(work, "bench.mlproj"),
            IntermediateDirectory = Path.Combine(work, "obj", "mlops") + Path.DirectorySeparatorChar,
            PackagePath = Path.Combine(work, "bench.1.0.0.mlpkg"),
        };
        // Fails the benchmark rather than timing an error path: the data must validate cleanly.
        var report = DataValidator.Validate(_definition);
        var rows = report.Files.Sum(f => f.Rows);
        if (rows != BenchData.Rows || report.Schema.Columns.Count != 20)
            throw new InvalidOperationException($"Expected {BenchData.Rows} rows and 20 columns, validated {rows} rows and {report.Schema.Columns.Count} columns.");
    }

    [Benchmark(OperationsPerInvoke = BenchData.Rows)]
    public ValidationReport Validate() => DataValidator.Validate(_definition);

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_privateFolder is not null)
            Directory.Delete(_privateFolder, recursive: true);
    }
}
