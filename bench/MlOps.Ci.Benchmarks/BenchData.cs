using System.Globalization;
using System.Text;

namespace MlOps.Ci.Benchmarks;

/// <summary>
/// The benchmark inputs, generated deterministically (fixed seeds) so every run and every machine measures the same bytes.
/// They live in a temporary folder outside the repository: the one named by <c>MLOPS_BENCH_DATA</c> (bench/run.sh sets it,
/// generates the files once and deletes them at the end) or, when it is unset, a private folder each benchmark deletes in
/// its GlobalCleanup.
/// </summary>
public static class BenchData
{
    public const string DataFolderVariable = "MLOPS_BENCH_DATA";
    public const string ValidationFileName = "validation-1m.csv";
    public const string HashFileName = "hash-1gib.bin";

    public const int Rows = 1_000_000;
    public const long HashFileBytes = 1L << 30;

    private const int NumericColumns = 14;
    private const int Seed = 20261127;

    private static readonly string[][] Categories =
    [
        ["Month-to-month", "One year", "Two year"],
        ["Basic", "Standard", "Premium", "Enterprise"],
        ["Electronic check", "Mailed check", "Bank transfer", "Credit card"],
        ["North", "South", "East", "West", "Central"],
        ["DSL", "Fiber optic", "Cable", "Satellite", "None", "Mobile"],
    ];

    /// <summary>The folder named by MLOPS_BENCH_DATA, or null when the benchmark must make (and remove) its own.</summary>
    public static string? SharedFolder => Environment.GetEnvironmentVariable(DataFolderVariable) is { Length: > 0 } folder ? folder : null;

    public static string NewPrivateFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mlops-bench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>
    /// A 1,000,000-row, 20-column CSV: 14 numeric columns with decimals (some negative), 5 categorical text columns,
    /// and a yes/no <c>Label</c>. About 1 numeric/categorical cell in 2,000 is empty. Reused when it already exists.
    /// </summary>
    public static string EnsureValidationCsv(string folder)
    {
        var path = Path.Combine(folder, ValidationFileName);
        if (File.Exists(path))
            return path;
        var temporary = path + ".tmp";
        var random = new Random(Seed);
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 20))
        {
            var header = new StringBuilder();
            for (var c = 0; c < NumericColumns; c++)
                header.Append("Num").Append(c.ToString("00", CultureInfo.InvariantCulture)).Append(',');
            string[] categoricalNames = ["Contract", "Plan", "PaymentMethod", "Region", "InternetService"];
            foreach (var name in categoricalNames)
                header.Append(name).Append(',');
            header.Append("Label");
            writer.Write(header.ToString());
            writer.Write('\n');

            Span<char> number = stackalloc char[32];
            for (var row = 0; row < Rows; row++)
            {
                for (var c = 0; c < NumericColumns; c++)
                {
                    if (row > 0 && random.Next(2000) == 0)
                    {
                        writer.Write(',');
                        continue;
                    }
                    // Different magnitudes and precisions per column: charges, counts with decimals, ratios, signed deltas.
                    var scale = c switch { < 4 => 10_000.0, < 8 => 100.0, < 11 => 1.0, _ => 1_000.0 };
                    var value = random.NextDouble() * scale;
                    if (c >= 11)
                        value -= scale / 2;
                    var format = c switch { < 4 => "0.00", < 8 => "0.0", < 11 => "0.0000", _ => "0.000" };
                    value.TryFormat(number, out var written, format, CultureInfo.InvariantCulture);
                    writer.Write(number[..written]);
                    writer.Write(',');
                }
                foreach (var values in Categories)
                {
                    if (row > 0 && random.Next(2000) == 0)
                    {
                        writer.Write(',');
                        continue;
                    }
                    writer.Write(values[random.Next(values.Length)]);
                    writer.Write(',');
                }
                writer.Write(random.Next(100) < 27 ? "yes" : "no");
                writer.Write('\n');
            }
        }
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>A 1 GiB file of pseudo-random bytes (incompressible, no repeated blocks). Reused when it already exists.</summary>
    public static string EnsureHashFile(string folder)
    {
        var path = Path.Combine(folder, HashFileName);
        if (File.Exists(path) && new FileInfo(path).Length == HashFileBytes)
            return path;
        var temporary = path + ".tmp";
        var random = new Random(Seed);
        var block = new byte[1 << 20];
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            for (long written = 0; written < HashFileBytes; written += block.Length)
            {
                random.NextBytes(block);
                stream.Write(block);
            }
        }
        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
