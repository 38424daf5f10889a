using MlOps.Ci.Data;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Evaluation;

/// <summary>How much the primary metric fell when one input column's values were shuffled across rows.</summary>
public sealed record FeatureImportance(string Feature, double MetricDrop);

/// <summary>
/// Permutation feature importance on the evaluation data: <see cref="Metric"/> on <see cref="Rows"/> rows as scored,
/// minus the same with one feature permuted, for every input of the model, largest drop first.
/// </summary>
public sealed record PermutationImportance(string Metric, int Rows, IReadOnlyList<FeatureImportance> Features);

public static class PermutationImportances
{
    /// <summary>
    /// Rows used at most: one re-scoring per feature makes the cost features × rows, and a few thousand rows already
    /// rank features reliably, so a large evaluation set is sampled down to this many (seeded, so builds agree).
    /// </summary>
    public const int MaxRows = 5000;

    /// <summary>
    /// Permutes each model input in turn with one permutation drawn from <paramref name="seed"/> (the definition's
    /// Seed: two builds give identical results) and re-scores with <paramref name="scorer"/>. Null when the primary
    /// metric is undefined on the rows (e.g. AUC with one class), since no drop can be measured then.
    /// <paramref name="tableMetrics"/>, the metrics of <paramref name="table"/> as the caller scored it, is the reference
    /// when the whole table is the sample (at most <see cref="MaxRows"/> rows), instead of scoring it again.
    /// </summary>
    public static PermutationImportance? Compute(OnnxScorer scorer, ModelTask task, DataTable table, LabelClasses labels, int seed,
        IReadOnlyDictionary<string, double>? tableMetrics = null)
    {
        var metric = Metrics.Primary(task);
        var random = new Random(seed);
        var sample = table.RowCount <= MaxRows ? table : table.Select(SampleRows(random, table.RowCount, MaxRows));
        if (sample.RowCount < 2)
            return null;
        var reference = (tableMetrics is not null && ReferenceEquals(sample, table)
            ? tableMetrics
            : ModelEvaluator.ComputeMetrics(task, sample, labels, scorer.Score(sample)))[metric];
        if (double.IsNaN(reference))
            return null;

        var permutation = Enumerable.Range(0, sample.RowCount).ToArray();
        random.Shuffle(permutation);
        var inputs = scorer.InputMetadata.Keys.ToHashSet(StringComparer.Ordinal);
        var importance = new List<FeatureImportance>();
        foreach (var feature in sample.Features.Where(f => inputs.Contains(f.Name)))
        {
            var permuted = sample.WithFeature(feature.Select(permutation));
            var value = ModelEvaluator.ComputeMetrics(task, permuted, labels, scorer.Score(permuted))[metric];
            importance.Add(new FeatureImportance(feature.Name, reference - value));
        }
        // Ties (e.g. unused features at exactly 0) break by name, so the order never depends on dictionary order.
        var ordered = importance.OrderByDescending(f => f.MetricDrop).ThenBy(f => f.Feature, StringComparer.Ordinal).ToList();
        return new PermutationImportance(metric, sample.RowCount, ordered);
    }

    /// <summary>A seeded sample of <paramref name="count"/> row indexes, in file order.</summary>
    private static int[] SampleRows(Random random, int rowCount, int count)
    {
        var rows = Enumerable.Range(0, rowCount).ToArray();
        // A partial Fisher–Yates shuffle: the first count positions are a uniform sample.
        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, rowCount);
            (rows[i], rows[j]) = (rows[j], rows[i]);
        }
        var sample = rows[..count];
        Array.Sort(sample);
        return sample;
    }
}
