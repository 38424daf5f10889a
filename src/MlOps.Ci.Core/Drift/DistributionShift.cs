using MlOps.Ci.Data;

namespace MlOps.Ci.Drift;

/// <summary>How far one column's distribution moved, by the population stability index, and how to read it.</summary>
public sealed record ColumnShift(string Column, ColumnKind Kind, double Psi)
{
    /// <summary>The usual reading of PSI in credit-risk practice, where it comes from: &lt; 0.1 none, &lt; 0.25 moderate, else major.</summary>
    public string Level => Psi < DistributionShift.ModerateThreshold ? "none" : Psi < DistributionShift.MajorThreshold ? "moderate" : "major";
}

/// <summary>
/// Compares two data profiles column by column with the population stability index (PSI = Σ (q − p) · ln(q / p) over
/// bins, p the reference share and q the current one). Numeric columns use the reference histogram's bins (the
/// current histogram is re-binned onto them); categorical columns use the reference's top categories plus "other".
/// Used by the pull-request report (baseline vs candidate training data) and by drift detection (training vs live).
/// </summary>
public static class DistributionShift
{
    public const double ModerateThreshold = 0.1;
    public const double MajorThreshold = 0.25;

    /// <summary>Empty bins would make PSI infinite; this floor on a share is the customary fix.</summary>
    private const double ShareFloor = 1e-4;

    public static IReadOnlyList<ColumnShift> Compare(DataProfile reference, DataProfile current) =>
        reference.Columns
            .Join(current.Columns, r => r.Name, c => c.Name, (r, c) => (r, c), StringComparer.Ordinal)
            .Where(pair => pair.r.Kind == pair.c.Kind)
            .Select(pair => Psi(pair.r, pair.c) is { } psi ? new ColumnShift(pair.r.Name, pair.r.Kind, psi) : null)
            .OfType<ColumnShift>()
            .ToList();

    /// <summary>The PSI of one column, or null when the profiles do not carry what it needs.</summary>
    public static double? Psi(ColumnProfile reference, ColumnProfile current)
    {
        if (reference.Histogram is { } referenceHistogram && current.Histogram is { } currentHistogram)
            return Psi(Shares(referenceHistogram.Counts), Shares(Rebin(currentHistogram, referenceHistogram.Edges)));
        if (reference.TopCategories is { } referenceTop && current.TopCategories is { } currentTop)
        {
            var currentCounts = currentTop.ToDictionary(c => c.Value, c => (double)c.Count, StringComparer.Ordinal);
            var referenceCounts = WithOtherBin(referenceTop.Select(c => (double)c.Count), reference.Count, reference.Missing);
            var matched = WithOtherBin(referenceTop.Select(c => currentCounts.GetValueOrDefault(c.Value)), current.Count, current.Missing);
            return Psi(Shares(referenceCounts), Shares(matched));
        }
        return null;
    }

    public static double Psi(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        var psi = 0.0;
        for (var i = 0; i < expected.Count; i++)
        {
            var p = Math.Max(expected[i], ShareFloor);
            var q = Math.Max(actual[i], ShareFloor);
            psi += (q - p) * Math.Log(q / p);
        }
        return psi;
    }

    /// <summary>
    /// Spreads each bin's count over the target bins in proportion to their overlap (values assumed uniform within a
    /// bin); mass below the first or above the last target edge goes to the end bins, as the data would.
    /// </summary>
    public static IReadOnlyList<double> Rebin(Histogram source, IReadOnlyList<double> targetEdges)
    {
        var bins = targetEdges.Count - 1;
        var result = new double[Math.Max(bins, 1)];
        for (var i = 0; i < source.Counts.Count; i++)
        {
            double low = source.Edges[i], high = source.Edges[i + 1], count = source.Counts[i];
            if (count == 0)
                continue;
            if (high <= low)
            {
                result[BinOf(low, targetEdges)] += count;
                continue;
            }
            for (var t = 0; t < bins; t++)
            {
                // The end bins reach to infinity: nothing outside the reference range is lost.
                var from = t == 0 ? double.NegativeInfinity : targetEdges[t];
                var to = t == bins - 1 ? double.PositiveInfinity : targetEdges[t + 1];
                var overlap = Math.Min(high, to) - Math.Max(low, from);
                if (overlap > 0)
                    result[t] += count * overlap / (high - low);
            }
        }
        return result;
    }

    private static int BinOf(double value, IReadOnlyList<double> edges)
    {
        for (var t = 1; t < edges.Count - 1; t++)
        {
            if (value < edges[t])
                return t - 1;
        }
        return Math.Max(edges.Count - 2, 0);
    }

    private static IReadOnlyList<double> Shares(IEnumerable<long> counts) => Shares(counts.Select(c => (double)c).ToList());

    /// <summary>
    /// The counts of the reference's top categories followed by the "other" bin: every other present value of a column
    /// of <paramref name="count"/> values, <paramref name="missing"/> of them missing (categories new in live data included).
    /// The one definition of "other" for the PR report, <c>mlops drift</c> and the serving host's drift gauge.
    /// </summary>
    public static List<double> WithOtherBin(IEnumerable<double> topCounts, long count, long missing)
    {
        var counts = topCounts.ToList();
        counts.Add(Math.Max(0, count - missing - counts.Sum()));
        return counts;
    }

    /// <summary>Each count's share of their total; all zeros when the total is not positive.</summary>
    public static IReadOnlyList<double> Shares(IReadOnlyList<double> counts)
    {
        var total = counts.Sum();
        return total <= 0 ? counts.Select(_ => 0.0).ToList() : counts.Select(c => c / total).ToList();
    }
}
