namespace MlOps.Ci.Drift;

/// <summary>
/// When a feature counts as drifted, declared in the ML project (<c>&lt;DriftThreshold Include="Tenure" Psi="0.1" /&gt;</c>)
/// and stored in the model card. <see cref="Column"/> "*" applies to every feature; a column's own entry overrides it
/// check by check, and what neither sets keeps the default (<see cref="DriftThresholds.Defaults"/>). A feature drifts
/// when any set check is crossed. Every value is a bound on how far live data may move from the training profile:
/// <list type="bullet">
/// <item><see cref="Psi"/>: population stability index above it (numeric, boolean and categorical columns).</item>
/// <item><see cref="KsStatistic"/>: Kolmogorov–Smirnov distance above it (numeric columns).</item>
/// <item><see cref="ChiSquarePValue"/>: two-sample chi-square p-value below it (categorical columns; off by default).</item>
/// <item><see cref="MissingRateIncrease"/>: the live missing-value share exceeds training's by more than it.</item>
/// <item><see cref="OutOfRangeShare"/>: the share of live values outside the training range, or of categories training never saw, above it.</item>
/// </list>
/// </summary>
public sealed record DriftThreshold(
    string Column,
    double? Psi = null,
    double? KsStatistic = null,
    double? ChiSquarePValue = null,
    double? MissingRateIncrease = null,
    double? OutOfRangeShare = null)
{
    public const string EveryFeature = "*";
}

/// <summary>The thresholds that apply to one column once defaults, "*" and the column's own entry are merged.</summary>
public sealed record EffectiveDriftThreshold(double Psi, double KsStatistic, double? ChiSquarePValue, double MissingRateIncrease, double OutOfRangeShare);

public static class DriftThresholds
{
    /// <summary>
    /// PSI 0.2 is the customary "significant shift" line; KS 0.1 means the cumulative distributions differ by ten
    /// percentage points somewhere; the chi-square p-value is off because on a large log it flags differences too small
    /// to matter (PSI is the effect size); 10 points more missing values or 5% of values outside what training saw are
    /// each a change the model was never trained for.
    /// </summary>
    public static EffectiveDriftThreshold Defaults { get; } = new(Psi: 0.2, KsStatistic: 0.1, ChiSquarePValue: null, MissingRateIncrease: 0.1, OutOfRangeShare: 0.05);

    /// <summary>The bounds for <paramref name="column"/>: its own entry over "*" over <see cref="Defaults"/>, check by check.</summary>
    public static EffectiveDriftThreshold For(string column, IReadOnlyList<DriftThreshold> declared)
    {
        var result = Defaults;
        foreach (var threshold in declared.Where(t => t.Column == DriftThreshold.EveryFeature).Concat(declared.Where(t => t.Column == column && column != DriftThreshold.EveryFeature)))
        {
            result = new EffectiveDriftThreshold(
                threshold.Psi ?? result.Psi,
                threshold.KsStatistic ?? result.KsStatistic,
                threshold.ChiSquarePValue ?? result.ChiSquarePValue,
                threshold.MissingRateIncrease ?? result.MissingRateIncrease,
                threshold.OutOfRangeShare ?? result.OutOfRangeShare);
        }
        return result;
    }
}
