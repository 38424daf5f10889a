using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MlOps.Ci.Data;
using MlOps.Ci.Drift;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Benchmarks;

/// <summary>
/// <c>mlops drift</c>'s engine over a large request log of the churn sample's schema (bench/drift.sh):
/// 'drift-data DIR TRAIN_CSV ROWS' writes a package whose profile is the sample's training data (the profile
/// packaging stores; drift needs nothing else of a package) and a ROWS-line log in the serving host's exact line shape;
/// 'time-drift PACKAGE LOG RUNS' runs <see cref="DriftDetector.Analyze"/> RUNS times and prints rows/s, allocation and
/// the process's peak resident memory.
/// </summary>
public static class DriftBench
{
    public const string Version = "1.0.0";

    private static readonly string[] Numeric = ["Tenure", "MonthlyCharges", "TotalCharges", "SupportCalls", "DataUsageGb"];
    private static readonly string[] Categorical = ["Contract", "Plan", "PaymentMethod", "InternetService", "Region"];
    private static readonly string[] Boolean = ["SeniorCitizen"];

    public static int Generate(string folder, string trainingCsv, long rows)
    {
        Directory.CreateDirectory(folder);
        var header = File.ReadLines(trainingCsv).First().Split(',');
        var schema = new DataSchema(header.Select(name => new ColumnSchema(name,
            Numeric.Contains(name) ? ColumnKind.Numeric : Boolean.Contains(name) ? ColumnKind.Boolean : name == "CustomerId" ? ColumnKind.Ignore : ColumnKind.Categorical)).ToList(), "Churned");
        var profile = DataProfiler.Profile(DataTable.Load([trainingCsv], schema));
        var inputs = schema.Features.Select(c => new TensorSpec(c.Name, c.Kind == ColumnKind.Categorical ? "string" : "float", [-1, 1], c.Kind)).ToList();
        var card = new ModelCard(ModelCard.CurrentSchemaVersion, "churn", Version, ModelTask.BinaryClassification, DateTimeOffset.UnixEpoch,
            new ModelFingerprints("xxh128-0123456789abcdef0123456789abcdef", "xxh128-definition", []), new SourceInfo(null, false, null),
            new TrainerInfo("FastTree", new Dictionary<string, string>(), 42), new Dictionary<string, double>(), [],
            new ModelSignature(inputs, [new TensorSpec("Probability.output", "float", [-1, 1])], "Churned", ["No", "Yes"], "Yes"),
            EnvironmentInfo.Current, new StepTimings(0, 0, 0));
        var packagePath = Path.Combine(folder, "churn-drift.mlpkg");
        new ModelPackage(card, [], profile).Write(packagePath);

        // The training rows, cycled: every logged value is one the host could have logged for the sample.
        var features = schema.Features.ToList();
        var indexes = features.Select(f => Array.IndexOf(header, f.Name)).ToArray();
        var table = File.ReadLines(trainingCsv).Skip(1).Select(line => line.Split(',')).ToList();
        var logPath = Path.Combine(folder, $"requests-{rows}.jsonl");
        if (File.Exists(logPath))
        {
            Console.WriteLine(packagePath);
            Console.WriteLine(logPath);
            return 0;
        }
        var temporary = logPath + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true });
            var random = new Random(20261127);
            var start = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
            Span<byte> id = stackalloc byte[16];
            for (long row = 0; row < rows; row++)
            {
                var values = table[(int)(row % table.Count)];
                random.NextBytes(id);
                writer.WriteStartObject();
                writer.WriteString("timestamp", start.AddTicks(row * 1000));
                writer.WriteString("requestId", Convert.ToHexStringLower(id));
                writer.WriteString("model", "churn");
                writer.WriteString("version", Version);
                writer.WriteString("fingerprint", card.Fingerprints.Model);
                writer.WriteNumber("row", 0);
                writer.WriteStartObject("inputs");
                for (var f = 0; f < features.Count; f++)
                {
                    var text = values[indexes[f]];
                    switch (features[f].Kind)
                    {
                        case ColumnKind.Categorical:
                            writer.WriteString(features[f].Name, text);
                            break;
                        case ColumnKind.Boolean:
                            writer.WriteNumber(features[f].Name, CellValues.TryParseBoolean(text, out var flag) && flag ? 1f : 0f);
                            break;
                        default:
                            if (CellValues.TryParseNumber(text, out var number))
                                writer.WriteNumber(features[f].Name, number);
                            else
                                writer.WriteNull(features[f].Name);
                            break;
                    }
                }
                writer.WriteEndObject();
                writer.WriteStartObject("outputs");
                var probability = (float)random.NextDouble();
                writer.WriteString("predictedLabel", probability >= 0.5f ? "Yes" : "No");
                writer.WriteNumber("probability", probability);
                writer.WriteNumber("score", (float)Math.Log(probability / (1 - probability + 1e-6) + 1e-6));
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.Flush();
                stream.WriteByte((byte)'\n');
                writer.Reset();
            }
        }
        File.Move(temporary, logPath);
        Console.WriteLine(packagePath);
        Console.WriteLine(logPath);
        return 0;
    }

    public static int Time(string packagePath, string logPath, int runs)
    {
        var package = ModelPackage.Read(packagePath);
        var bytes = new FileInfo(logPath).Length;
        var seconds = new List<double>();
        var cpuSeconds = new List<double>();
        using var process = Process.GetCurrentProcess();
        DriftReport? report = null;
        long allocated = 0;
        for (var run = 0; run < runs; run++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            report = DriftDetector.Analyze(package, logPath, DriftOptions.Default);
            seconds.Add(clock.Elapsed.TotalSeconds);
            process.Refresh();
            cpuSeconds.Add((process.TotalProcessorTime - cpuBefore).TotalSeconds);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        seconds.Sort();
        cpuSeconds.Sort();
        var cpuMedian = cpuSeconds[cpuSeconds.Count / 2];
        var best = seconds[0];
        var median = seconds[seconds.Count / 2];
        var invariant = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(invariant, $"rows\t{report!.RowsRead}"));
        Console.WriteLine(string.Create(invariant, $"bytes\t{bytes}"));
        Console.WriteLine(string.Create(invariant, $"best_s\t{best:0.000}"));
        Console.WriteLine(string.Create(invariant, $"median_s\t{median:0.000}"));
        Console.WriteLine(string.Create(invariant, $"rows_per_s_best\t{report.RowsRead / best:0}"));
        Console.WriteLine(string.Create(invariant, $"rows_per_s_median\t{report.RowsRead / median:0}"));
        // CPU time (user + system, all threads) is what one core spends: the figure that holds on a busy machine too.
        Console.WriteLine(string.Create(invariant, $"cpu_s_median\t{cpuMedian:0.000}"));
        Console.WriteLine(string.Create(invariant, $"rows_per_cpu_s_median\t{report.RowsRead / cpuMedian:0}"));
        Console.WriteLine(string.Create(invariant, $"mb_per_s_median\t{bytes / median / 1e6:0}"));
        Console.WriteLine(string.Create(invariant, $"allocated_bytes_per_run\t{allocated}"));
        Console.WriteLine(string.Create(invariant, $"peak_rss_mib\t{PeakResidentMiB():0.0}"));
        Console.WriteLine(string.Create(invariant, $"drifted\t{report.Drifted}"));
        return report.Drifted ? 1 : 0;
    }

    /// <summary>VmHWM: the most resident memory the process ever had (Linux).</summary>
    private static double PeakResidentMiB()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
            return double.NaN;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
