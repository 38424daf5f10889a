using System.Diagnostics;
using System.Globalization;
using MlOps.Ci.Data;
using MlOps.Ci.Pipeline;
using nietras.SeparatedValues;

namespace MlOps.Ci.Benchmarks;

/// <summary>
/// 'profile DIR': a Stopwatch breakdown of where DataValidator.Validate spends its time on the 1M-row CSV, layer by
/// layer (Sep reading, trimming, the missing-value check, number parsing, the label count, hashing), so a regression
/// in the benchmark can be pinned on one piece of Data/DataValidator.cs or Data/CellValues.cs. Single-threaded; each
/// stage runs 3 times after a warm-up and the median is printed. Not a benchmark: use the numbers relative to each other.
/// </summary>
public static class Profile
{
    internal const int NumericColumns = 14;
    private const int LabelIndex = 19;

    private static PipelineDefinition Definition(string folder, string csv) => new()
    {
        ModelName = "bench",
        LabelColumn = "Label",
        TrainingData = [csv],
        ProjectFile = Path.Combine(folder, "bench.mlproj"),
        IntermediateDirectory = Path.Combine(folder, "obj") + Path.DirectorySeparatorChar,
        PackagePath = Path.Combine(folder, "bench.mlpkg"),
    };

    /// <summary>
    /// 'time-validate DIR N': N timed runs of DataValidator.Validate after one warm-up, printing the minimum and the median.
    /// On a busy machine the minimum is the steadier figure for comparing two builds (run them alternately).
    /// </summary>
    public static int TimeValidate(string folder, int count)
    {
        var definition = Definition(folder, BenchData.EnsureValidationCsv(folder));
        DataValidator.Validate(definition);
        var times = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            DataValidator.Validate(definition);
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        var min = times[0];
        var median = times[times.Count / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Validate x{count}: min {min:0} ms ({BenchData.Rows / (min / 1000):#,0} rows/s), median {median:0} ms ({BenchData.Rows / (median / 1000):#,0} rows/s)"));
        return 0;
    }

    public static int Run(string folder)
    {
        var csv = BenchData.EnsureValidationCsv(folder);
        var definition = Definition(folder, csv);

        Console.WriteLine($"| stage | median ms | ns/row | rows/s |");
        Console.WriteLine($"|---|---:|---:|---:|");
        Measure("Sep: read rows, touch every col span (Unescape=true, as CsvFile.Open)", () => ReadOnly(csv, unescape: true));
        Measure("Sep: same with Unescape=false", () => ReadOnly(csv, unescape: false));
        Measure("Sep read + Trim() every cell", () => Cells(csv, static (i, s) => s.Trim().Length));
        Measure("Sep read + CellValues.IsMissing every cell", () => Cells(csv, static (i, s) => CellValues.IsMissing(s) ? 1 : 0));
        Measure("Sep read + CellValues.TryParseNumber (fast path for plain decimals) on the 14 numeric cells", () => Cells(csv, static (i, s) => i < NumericColumns && CellValues.TryParseNumber(s, out _) ? 1 : 0));
        Measure("Sep read + Sep col.TryParse<float> (csFastFloat) on the 14 numeric cells", () => SepParse(csv));
        Measure("Sep read + float.TryParse (the general parser) on the 14 numeric cells", () => Cells(csv, static (i, s) => i < NumericColumns && FastNumber.TryParse(s, out _) ? 1 : 0));
        Measure("Sep read + label count: Trim + TryGetValue + indexer set (as ValidateFile)", () => LabelCount(csv, prototype: false));
        Measure("Sep read + label count: CollectionsMarshal.GetValueRefOrAddDefault (prototype)", () => LabelCount(csv, prototype: true));
        Measure("ContentHash.OfFile(csv)", () => { ContentHash.OfFile(csv); return 0; });
        Measure("DataValidator.Validate (everything)", () => DataValidator.Validate(definition).Files[0].Rows);
        Console.WriteLine();
        Console.WriteLine($"CellValues.TryParseNumber matched float.TryParse bit for bit on {FastNumber.Check(csv):#,0} inputs.");
        return 0;
    }

    private static void Measure(string stage, Func<long> action)
    {
        action();
        var times = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            GC.KeepAlive(action());
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        var ms = times[1];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {stage} | {ms:0} | {ms * 1e6 / BenchData.Rows:0} | {BenchData.Rows / (ms / 1000):#,0} |"));
    }

    private static SepReader Open(string csv, bool unescape = true) =>
        Sep.Reader(o => o with { Unescape = unescape, DisableColCountCheck = true }).FromFile(csv);

    private static long ReadOnly(string csv, bool unescape)
    {
        using var reader = Open(csv, unescape);
        long total = 0;
        foreach (var row in reader)
        {
            for (var i = 0; i < row.ColCount; i++)
                total += row[i].Span.Length;
        }
        return total;
    }

    private static long Cells(string csv, Func<int, ReadOnlySpan<char>, int> perCell)
    {
        using var reader = Open(csv);
        long total = 0;
        foreach (var row in reader)
        {
            for (var i = 0; i < row.ColCount; i++)
                total += perCell(i, row[i].Span);
        }
        return total;
    }

    private static long SepParse(string csv)
    {
        using var reader = Open(csv);
        long total = 0;
        foreach (var row in reader)
        {
            for (var i = 0; i < NumericColumns; i++)
            {
                if (row[i].TryParse<float>() is { } value && float.IsFinite(value))
                    total++;
            }
        }
        return total;
    }

    private static long LabelCount(string csv, bool prototype)
    {
        using var reader = Open(csv);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var row in reader)
        {
            var text = row[LabelIndex].Span.Trim();
            if (prototype)
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(lookup, text, out _)++;
            }
            else if (lookup.TryGetValue(text, out var count))
                lookup[text] = count + 1;
            else
                lookup[text] = 1;
        }
        return counts.Count;
    }
}

/// <summary>
/// The reference CellValues.TryParseNumber must agree with: plain float.TryParse (invariant culture, finite values
/// only). CellValues adds a fast path for plain decimals (Clinger's: an exact mantissa divided by an exact power of
/// ten is correctly rounded); 'profile' checks, bit for bit, that it changes neither the accepted set nor any value.
/// </summary>
public static class FastNumber
{
    public static bool TryParse(ReadOnlySpan<char> text, out float value) =>
        float.TryParse(text.Trim(), System.Globalization.NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);

    /// <summary>Compares CellValues.TryParseNumber with the reference bit for bit on the CSV's numeric cells and on random and edge-case text.</summary>
    public static long Check(string csv)
    {
        long checkedCount = 0;
        void Compare(ReadOnlySpan<char> text)
        {
            var expected = CellValues.TryParseNumber(text, out var expectedValue);
            var actual = TryParse(text, out var actualValue);
            if (expected != actual || (expected && BitConverter.SingleToInt32Bits(expectedValue) != BitConverter.SingleToInt32Bits(actualValue)))
                throw new InvalidOperationException($"'{text}': CellValues {expected} {expectedValue:R}, float.TryParse {actual} {actualValue:R}");
            checkedCount++;
        }
        using (var reader = Sep.Reader(o => o with { Unescape = true, DisableColCountCheck = true }).FromFile(csv))
        {
            foreach (var row in reader)
            {
                for (var c = 0; c < Profile.NumericColumns; c++)
                    Compare(row[c].Span);
            }
        }
        string[] edges = ["0", "-0", "+0", "0.", ".0", ".", "-", "+", "", " ", "5.", ".5", "-.5", "+1", " 12.5 ", "16777216", "16777217", "16777215.1",
            "1.0000000001", "0.00000000001", "12345678901234567890", "1e5", "1E-3", "1,5", "1_0", "--1", "0x10", "Infinity", "NaN", "3.4028235E+38",
            "340282350000000000000000000000000000000", "1" + new string('0', 39), "00000000000000000001.5", "9999999.9", "0.1", "0.3", "-1234.5678"];
        foreach (var edge in edges)
            Compare(edge);
        var random = new Random(7);
        Span<char> buffer = stackalloc char[32];
        for (var n = 0; n < 5_000_000; n++)
        {
            var length = 0;
            if (random.Next(4) == 0)
                buffer[length++] = random.Next(2) == 0 ? '-' : '+';
            var integerDigits = random.Next(0, 10);
            for (var d = 0; d < integerDigits; d++)
                buffer[length++] = (char)('0' + random.Next(10));
            if (random.Next(3) > 0)
            {
                buffer[length++] = '.';
                var fraction = random.Next(0, 12);
                for (var d = 0; d < fraction; d++)
                    buffer[length++] = (char)('0' + random.Next(10));
            }
            Compare(buffer[..length]);
        }
        return checkedCount;
    }
}
