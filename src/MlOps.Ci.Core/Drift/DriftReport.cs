using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Drift;

/// <summary>
/// The outcome of a drift check: one entry per feature (and the predictions when the package has their reference),
/// the verdicts, and what was read. A plain record, so every renderer (JSON, markdown, HTML) works from the same data.
/// </summary>
public sealed record DriftReport(
    string Model,
    string Version,
    string Input,
    DriftInputFormat Format,
    long RowsRead,
    long RowsSkipped,
    IReadOnlyList<SkippedVersion> SkippedVersions,
    long LinesInvalid,
    bool LastLineTruncated,
    DriftWindow? Window,
    IReadOnlyList<FeatureDrift> Features,
    FeatureDrift? Prediction,
    int MinDriftedFeatures,
    bool Drifted,
    bool Retrain,
    string Summary,
    IReadOnlyList<Diagnostic> Diagnostics)
{
    public IEnumerable<FeatureDrift> DriftedFeatures => Features.Where(f => f.Drifted);

    /// <summary>
    /// What a CI run annotates: the check's own diagnostics, then a warning for each drifted feature and for drifted
    /// predictions, pointing at the live data. A method, not a property: the JSON report holds the data, not these.
    /// </summary>
    public IEnumerable<Diagnostic> Findings()
    {
        var where = new SourceLocation(Input);
        var features = DriftedFeatures.Select(f => Diagnostic.Warning(DiagnosticCodes.DriftDetected,
            $"Feature '{f.Column}' drifted: {string.Join("; ", f.Reasons)}.", where,
            $"Retrain on recent data, or raise <DriftThreshold Include=\"{f.Column}\" … /> if the change is expected."));
        IEnumerable<Diagnostic> prediction = Prediction is { Drifted: true } predicted
            ? [Diagnostic.Warning(DiagnosticCodes.DriftDetected, $"The predictions ('{predicted.Column}') drifted: {string.Join("; ", predicted.Reasons)}.", where,
                "Retrain on recent data; the prediction is judged under the \"*\" bounds (<DriftThreshold Include=\"%2A\" … />).")]
            : [];
        return Diagnostics.Concat(features).Concat(prediction);
    }

    /// <summary>
    /// Why <see cref="Prediction"/> is null: "no predictions in the input" (a CSV, or a log without outputs) or the
    /// package has no prediction reference; null when the predictions were compared.
    /// </summary>
    public string? PredictionNote { get; init; }
}

/// <summary>Log lines of another model or version: counted, never mixed into the statistics.</summary>
public sealed record SkippedVersion(string Model, string Version, long Rows);

/// <summary>The first and last timestamp of the rows read (request-log input only).</summary>
public sealed record DriftWindow(DateTimeOffset First, DateTimeOffset Last);

/// <summary>Training's value beside live data's.</summary>
public sealed record Comparison(double Training, double Live);

/// <summary>
/// The shares behind the PSI, bin by bin, for charts: numeric bins are the training histogram's (the end bins take
/// live values beyond the training range), categorical ones the training's top categories plus "(other)".
/// </summary>
public sealed record DriftBins(IReadOnlyList<string> Labels, IReadOnlyList<double> Training, IReadOnlyList<double> Live);

/// <summary>
/// How one column moved. <see cref="Ks"/> only for numeric and boolean columns, <see cref="ChiSquare"/> and
/// <see cref="PValue"/> only for categorical ones; <see cref="OutOfRangeShare"/> for numeric,
/// <see cref="UnseenCategoryShare"/> for categorical columns whose training categories are all known to the profile.
/// </summary>
public sealed record FeatureDrift(
    string Column,
    ColumnKind Kind,
    long Rows,
    double Psi,
    double? Ks,
    double? ChiSquare,
    double? PValue,
    Comparison MissingRate,
    Comparison? Mean,
    double? OutOfRangeShare,
    double? UnseenCategoryShare,
    IReadOnlyList<string>? UnseenCategories,
    EffectiveDriftThreshold Thresholds,
    bool Drifted,
    IReadOnlyList<string> Reasons,
    DriftBins Bins);
