using MlOps.Ci.Diagnostics;
using MlOps.Ci.Reporting;

namespace MlOps.Ci.Monitoring;

/// <summary>
/// What <c>mlops feedback</c> found: how the labels joined the logged predictions, the live metrics beside the
/// package's evaluation metrics (<see cref="MetricComparison.Baseline"/> is evaluation, <see cref="MetricComparison.Candidate"/>
/// live) with the verdicts of the gates' MaxDecrease/MaxIncrease, and whether retraining is advised.
/// </summary>
public sealed record FeedbackReport(
    string Model,
    string Version,
    string Fingerprint,
    string RequestLog,
    string Labels,
    string LabelColumn,
    FeedbackJoin Join,
    IReadOnlyList<MetricComparison> Metrics,
    bool Decayed,
    string Summary,
    IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>Retraining is advised exactly when a live metric decayed past its bound.</summary>
    public bool Retrain => Decayed;

    public IEnumerable<(MetricComparison Metric, GateCheck Gate)> FailedGates =>
        Metrics.SelectMany(m => m.Gates.Where(g => !g.Passed).Select(g => (m, g)));

    /// <summary>What a CI run annotates: the join's diagnostics, then an error per live metric that decayed past its bound.</summary>
    public IEnumerable<Diagnostic> Findings() =>
        Diagnostics.Concat(FailedGates.Select(failed => Diagnostic.Error(DiagnosticCodes.LiveMetricDecayed,
            $"Live metric decayed: {failed.Gate.Message}.", new SourceLocation(Labels),
            $"Retrain on recent labelled data (mlops retrain), or widen MaxDecrease/MaxIncrease of <QualityGate Include=\"{failed.Metric.Metric}\" /> if the change is expected.")));
}

/// <summary>
/// How the labels met the log. <see cref="UnknownRequestIds"/> are labels whose request id and row the log does not
/// have (at most <see cref="FeedbackJoin.ExampleLimit"/> listed); <see cref="OtherModelRows"/> labelled rows scored by
/// another model (kept out of the metrics).
/// </summary>
public sealed record FeedbackJoin(
    long LogLines,
    long LinesInvalid,
    bool LastLineTruncated,
    long Labels,
    long Matched,
    long Unmatched,
    IReadOnlyList<string> UnknownRequestIds,
    long OtherModelRows)
{
    public const int ExampleLimit = 10;
}
