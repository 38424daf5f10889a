namespace MlOps.Ci.Training.Features;

/// <summary>One step of a column's featurization; each becomes part of the exported ONNX graph.</summary>
public enum FeatureTransform
{
    /// <summary>Numeric: missing values (NaN) become a statistic of the training data (<see cref="FeatureDeclaration.Replacement"/>).</summary>
    ReplaceMissing,

    /// <summary>Numeric: rescaled with statistics of the training data (<see cref="FeatureDeclaration.Normalization"/>).</summary>
    Normalize,

    /// <summary>
    /// Numeric: equal-density bins. Recognised so that declaring it gets a precise error (MLOPS2108): ML.NET's ONNX
    /// exporter has no binning operator, so the graph could not hold the step.
    /// </summary>
    Bin,

    /// <summary>Categorical: one indicator per category seen in training (at most <see cref="FeatureDeclaration.MaxCategories"/>); unseen ones are all zeros.</summary>
    OneHot,

    /// <summary>Categorical: one indicator per hash bucket (2^<see cref="FeatureDeclaration.HashBits"/>), for many or open-ended categories.</summary>
    Hash,

    /// <summary>
    /// Free text (word bags). Recognised so that declaring it gets a precise error (MLOPS2108): ML.NET exports word
    /// bags with a graph that scores one row per call (the batch dimension collapses), so batch evaluation and
    /// serving would fail or be wrong.
    /// </summary>
    Text,

    /// <summary>Any column: not an input of the model at all.</summary>
    Drop,
}

/// <summary>What ReplaceMissing puts in place of a missing number.</summary>
public enum MissingReplacement
{
    Mean,
    Minimum,
    Maximum,

    /// <summary>The most frequent value.</summary>
    Mode,

    /// <summary>0, whatever the data says.</summary>
    Zero,
}

/// <summary>How Normalize rescales a number.</summary>
public enum NormalizationMode
{
    /// <summary>To [0, 1] by the training minimum and maximum (a scale only: 0 stays 0, as ML.NET does for sparse data).</summary>
    MinMax,

    /// <summary>To zero mean and unit variance.</summary>
    MeanVariance,

    /// <summary>By the median and interquartile range: robust to outliers.</summary>
    Robust,
}

/// <summary>
/// A <c>&lt;Feature Include="Column" Transform="ReplaceMissing;Normalize" /&gt;</c> item: the column's featurization,
/// applied in the order written. A column without one gets the defaults (numbers: ReplaceMissing with the mean;
/// categories: OneHot). Options only matter to the transforms that read them.
/// </summary>
public sealed record FeatureDeclaration(string Column, IReadOnlyList<FeatureTransform> Transforms)
{
    public const int DefaultHashBits = 10;
    public const int MaxHashBits = 24;

    public MissingReplacement Replacement { get; init; } = MissingReplacement.Mean;
    public NormalizationMode Normalization { get; init; } = NormalizationMode.MinMax;
    public int HashBits { get; init; } = DefaultHashBits;

    /// <summary>OneHot: keep at most this many categories (the first seen in the training data); others score as unseen. Null: keep all.</summary>
    public int? MaxCategories { get; init; }

    public bool Drops => Transforms.Contains(FeatureTransform.Drop);

    /// <summary>Readable form for logs and the model card: "ReplaceMissing(Mode) → Normalize(MeanVariance)".</summary>
    public string Describe() => string.Join(" → ", Transforms.Select(t => t switch
    {
        FeatureTransform.ReplaceMissing => $"ReplaceMissing({Replacement})",
        FeatureTransform.Normalize => $"Normalize({Normalization})",
        FeatureTransform.Hash => $"Hash({HashBits} bits)",
        FeatureTransform.OneHot when MaxCategories is { } max => $"OneHot(≤{max})",
        _ => t.ToString(),
    }));
}
