using MlOps.Ci.Scoring;

namespace MlOps.Ci.Cli.Progress;

/// <summary>
/// BatchScorer's progress as a bar over the input's bytes (the row count of a CSV is unknown until it is read), with
/// the rows written beside it. Synchronous, unlike Progress&lt;T&gt;, so no report arrives after the verb has finished.
/// </summary>
internal sealed class ScoringProgressReport(IProgressReport report) : IProgress<BatchScoringProgress>
{
    public void Report(BatchScoringProgress value) => report.Report(value.BytesRead, value.TotalBytes, $"{value.Rows:N0} rows");
}
