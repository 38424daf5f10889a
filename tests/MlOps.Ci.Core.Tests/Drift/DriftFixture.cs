using System.Globalization;
using System.Text;
using MlOps.Ci.Data;
using MlOps.Ci.Drift;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Core.Tests.Drift;

/// <summary>One live or training row of the drift tests' small churn-like schema.</summary>
public sealed record DriftRow(float? Tenure, string? Contract, bool? Senior, string Churned = "No");

/// <summary>
/// A model package whose profile is the real <see cref="DataProfiler"/>'s over seeded training rows (Tenure numeric,
/// Contract categorical, Senior boolean), and live data written the way the serving host writes its request log or as
/// a CSV. No ONNX model: drift reads only the card and the profile.
/// </summary>
public sealed class DriftFixture : IDisposable
{
    public const string Model = "churn";
    public const string Version = "1.2.0";
    public static readonly string[] Contracts = ["Month-to-month", "One year", "Two year"];

    public DriftFixture(IReadOnlyList<DriftRow> training, IReadOnlyList<DriftThreshold>? thresholds = null)
    {
        Folder = new TempFolder();
        Training = training;
        var trainingPath = WriteCsv("train.csv", training, withLabel: true);
        var schema = new DataSchema(
        [
            new ColumnSchema("Tenure", ColumnKind.Numeric),
            new ColumnSchema("Contract", ColumnKind.Categorical),
            new ColumnSchema("Senior", ColumnKind.Boolean),
            new ColumnSchema("Churned", ColumnKind.Categorical),
        ], "Churned");
        var profile = DataProfiler.Profile(DataTable.Load([trainingPath], schema));
        var card = new ModelCard(
            ModelCard.CurrentSchemaVersion, Model, Version, ModelTask.BinaryClassification, new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero),
            new ModelFingerprints("xxh128-model", "xxh128-definition", []),
            new SourceInfo("0123456789abcdef0123456789abcdef01234567", Dirty: false, Branch: "main"),
            new TrainerInfo("FastTree", new Dictionary<string, string>(), 42),
            new Dictionary<string, double> { ["AUC"] = 0.9 },
            [],
            new ModelSignature(
                [new TensorSpec("Tenure", "float", [-1, 1], ColumnKind.Numeric), new TensorSpec("Contract", "string", [-1, 1], ColumnKind.Categorical),
                 new TensorSpec("Senior", "float", [-1, 1], ColumnKind.Boolean)],
                [new TensorSpec("Probability.output", "float", [-1, 1])], "Churned", ["No", "Yes"], "Yes"),
            EnvironmentInfo.Current,
            new StepTimings(0, 0, 0))
        {
            DriftThresholds = thresholds,
        };
        Package = new ModelPackage(card, [], profile);
        PackagePath = Folder.PathOf("churn.mlpkg");
    }

    public TempFolder Folder { get; }
    public IReadOnlyList<DriftRow> Training { get; }
    public ModelPackage Package { get; }
    public string PackagePath { get; }

    public DriftReport Analyze(string input, DriftOptions? options = null) => DriftDetector.Analyze(Package, input, options ?? DriftOptions.Default, PackagePath);

    /// <summary>Rows drawn from the same seeded process as <see cref="Sample"/> uses, with a shift of Tenure's mean and of Contract's shares.</summary>
    public static List<DriftRow> Sample(int count, int seed, double tenureMean = 30, double monthToMonthShare = 0.5, double missingTenure = 0.02)
    {
        var random = new Random(seed);
        var rows = new List<DriftRow>(count);
        for (var i = 0; i < count; i++)
        {
            // Box–Muller: a normal Tenure, rounded to whole months like the sample's.
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            float? tenure = random.NextDouble() < missingTenure ? null : (float)Math.Round(Math.Clamp(tenureMean + 12 * normal, 0, 72));
            var u = random.NextDouble();
            var contract = u < monthToMonthShare ? Contracts[0] : u < monthToMonthShare + (1 - monthToMonthShare) * 0.6 ? Contracts[1] : Contracts[2];
            rows.Add(new DriftRow(tenure, contract, random.NextDouble() < 0.16, random.NextDouble() < 0.3 ? "Yes" : "No"));
        }
        return rows;
    }

    public string WriteCsv(string name, IEnumerable<DriftRow> rows, bool withLabel = false)
    {
        var text = new StringBuilder(withLabel ? "CustomerId,Tenure,Contract,Senior,Churned\n" : "CustomerId,Tenure,Contract,Senior\n");
        var id = 0;
        foreach (var row in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"C{++id:D6},{row.Tenure?.ToString(CultureInfo.InvariantCulture) ?? ""},{row.Contract ?? ""},{(row.Senior is { } s ? (s ? "Yes" : "No") : "")}");
            if (withLabel)
                text.Append(',').Append(row.Churned);
            text.Append('\n');
        }
        var path = Folder.PathOf(name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>One request-log line exactly in the host's shape (RequestLog.Format): timestamp, ids, model, inputs, outputs.</summary>
    public static string LogLine(DriftRow row, int index, string version = Version, string model = Model)
    {
        var timestamp = new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero).AddSeconds(index).ToString("yyyy-MM-ddTHH:mm:ss.fffffffK", CultureInfo.InvariantCulture);
        var tenure = row.Tenure is { } t ? t.ToString(CultureInfo.InvariantCulture) : "null";
        var senior = row.Senior is { } s ? (s ? "1" : "0") : "null";
        var contract = row.Contract ?? "";
        return $"{{\"timestamp\":\"{timestamp}\",\"requestId\":\"req-{index:D8}\",\"model\":\"{model}\",\"version\":\"{version}\",\"fingerprint\":\"xxh128-model\",\"row\":0," +
               $"\"inputs\":{{\"Tenure\":{tenure},\"Contract\":\"{contract}\",\"Senior\":{senior}}},\"outputs\":{{\"predictedLabel\":\"No\",\"probability\":0.25,\"score\":-1.1}}}}";
    }

    public string WriteLog(string name, IEnumerable<DriftRow> rows, string version = Version)
    {
        var path = Folder.PathOf(name);
        File.WriteAllLines(path, rows.Select((row, i) => LogLine(row, i, version)));
        return path;
    }

    public void Dispose() => Folder.Dispose();
}
