namespace MlOps.Ci.Cli.Progress;

/// <summary>What a measure of progress counts, for how it is shown.</summary>
internal enum ProgressUnit
{
    Rows,
    Steps,
    Bytes,
}

/// <summary>How far a piece of long work is; safe to call from any thread.</summary>
internal interface IProgressReport
{
    /// <param name="value">Done so far, in the report's unit.</param>
    /// <param name="maxValue">The whole, or 0 while it is unknown.</param>
    /// <param name="status">What is happening now, shown beside the bar (plain text, not markup).</param>
    void Report(double value, double maxValue, string? status = null);

    /// <summary>A message for the person, printed above a live bar (or as a line of its own) rather than through it.</summary>
    void WriteLine(string text);
}
