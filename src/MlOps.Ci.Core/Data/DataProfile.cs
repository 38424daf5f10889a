namespace MlOps.Ci.Data;

/// <summary>Counts per bin between consecutive edges (edges has one more entry than counts).</summary>
public sealed record Histogram(IReadOnlyList<double> Edges, IReadOnlyList<long> Counts);

public sealed record CategoryCount(string Value, long Count);

/// <summary>
/// What the training data looked like, per column: the reference that drift detection compares live data with, and
/// what a pull-request report diffs between two models.
/// </summary>
public sealed record ColumnProfile(string Name, ColumnKind Kind, long Count, long Missing)
{
    public double? Minimum { get; init; }
    public double? Maximum { get; init; }
    public double? Mean { get; init; }
    public double? StandardDeviation { get; init; }

    /// <summary>Quantiles by probability ("0.5" is the median), from the exact sorted values.</summary>
    public IReadOnlyDictionary<string, double>? Quantiles { get; init; }
    public Histogram? Histogram { get; init; }
    public long? Distinct { get; init; }

    /// <summary>The most frequent categories, most frequent first (ties by value), at most <see cref="DataProfiler.MaxCategories"/>.</summary>
    public IReadOnlyList<CategoryCount>? TopCategories { get; init; }
}

public sealed record DataProfile(long Rows, IReadOnlyList<ColumnProfile> Columns)
{
    /// <summary>
    /// The model's predictions on the evaluation data, profiled like a column and named as the request log's
    /// "outputs" names them ("probability" or "score" for binary classification, "score" for regression,
    /// "predictedLabel" for multiclass): the reference for drift of the prediction distribution. Null in packages built
    /// before it was stored, which drift checks read as "no prediction reference".
    /// </summary>
    public ColumnProfile? Predictions { get; init; }
}
