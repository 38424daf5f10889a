namespace MlOps.Ci.Monitoring;

/// <summary>
/// What <c>mlops feedback</c> joins: the serving host's request log (the logged predictions), a CSV of ground-truth
/// labels keyed by the request id the host logged (and the row within the request when it scored several), and the
/// package whose evaluation metrics and gates the live metrics are held to.
/// </summary>
/// <param name="PackagePath">The served model's package (.mlpkg).</param>
/// <param name="RequestLogPath">The host's JSON-lines request log.</param>
/// <param name="LabelsPath">The ground truth: a CSV with <see cref="RequestIdColumn"/>, the label column and optionally <see cref="RowColumn"/>.</param>
public sealed record FeedbackOptions(string PackagePath, string RequestLogPath, string LabelsPath)
{
    public const string DefaultRequestIdColumn = "requestId";
    public const string DefaultRowColumn = "row";

    /// <summary>The labels' column holding the truth; the model's label column (from its card) when null.</summary>
    public string? LabelColumn { get; init; }

    public string RequestIdColumn { get; init; } = DefaultRequestIdColumn;

    /// <summary>The row within a request; a labels file without it labels row 0 of each request.</summary>
    public string RowColumn { get; init; } = DefaultRowColumn;
}
