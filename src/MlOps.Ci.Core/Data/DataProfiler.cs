using System.Globalization;

namespace MlOps.Ci.Data;

public static class DataProfiler
{
    public const int MaxCategories = 50;
    public const int HistogramBins = 20;
    private static readonly double[] QuantileProbabilities = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1];

    public static DataProfile Profile(DataTable table) =>
        new(table.RowCount, table.Features.Append(table.Label).Select(ProfileColumn).ToList());

    /// <summary>One column's profile; also how the model's predictions on the evaluation data are profiled.</summary>
    public static ColumnProfile ProfileColumn(TableColumn column) => column switch
    {
        NumericColumn numeric => ProfileNumbers(numeric),
        TextColumn text => ProfileCategories(text),
        _ => throw new InvalidOperationException($"Unknown column type {column.GetType().Name}."),
    };

    private static ColumnProfile ProfileNumbers(NumericColumn column)
    {
        var present = column.Values.Where(v => !float.IsNaN(v)).Select(v => (double)v).ToArray();
        var profile = new ColumnProfile(column.Name, column.Kind, column.Values.Length, column.Values.Length - present.Length);
        if (present.Length == 0)
            return profile;
        Array.Sort(present);
        var mean = present.Average();
        var variance = present.Length > 1 ? present.Sum(v => (v - mean) * (v - mean)) / (present.Length - 1) : 0;
        return profile with
        {
            Minimum = present[0],
            Maximum = present[^1],
            Mean = mean,
            StandardDeviation = Math.Sqrt(variance),
            Quantiles = QuantileProbabilities.ToDictionary(p => p.ToString(CultureInfo.InvariantCulture), p => Quantile(present, p)),
            Histogram = EqualWidthHistogram(present),
            Distinct = CountDistinct(present),
        };
    }

    private static ColumnProfile ProfileCategories(TextColumn column)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long missing = 0;
        foreach (var value in column.Values)
        {
            if (value.Length == 0)
            {
                missing++;
                continue;
            }
            counts[value] = counts.GetValueOrDefault(value) + 1;
        }
        return new ColumnProfile(column.Name, column.Kind, column.Values.Length, missing)
        {
            Distinct = counts.Count,
            TopCategories = counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(MaxCategories)
                .Select(c => new CategoryCount(c.Key, c.Value)).ToList(),
        };
    }

    /// <summary>Linear interpolation between closest ranks (the definition numpy and pandas use by default).</summary>
    internal static double Quantile(double[] sorted, double probability)
    {
        var position = probability * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }

    private static Histogram EqualWidthHistogram(double[] sorted)
    {
        double min = sorted[0], max = sorted[^1];
        var bins = min == max ? 1 : HistogramBins;
        var width = (max - min) / bins;
        var edges = Enumerable.Range(0, bins + 1).Select(i => i == bins ? max : min + i * width).ToArray();
        var counts = new long[bins];
        foreach (var value in sorted)
            counts[width == 0 ? 0 : Math.Min((int)((value - min) / width), bins - 1)]++;
        return new Histogram(edges, counts);
    }

    private static long CountDistinct(double[] sorted)
    {
        long distinct = 1;
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i] != sorted[i - 1])
                distinct++;
        }
        return distinct;
    }
}
