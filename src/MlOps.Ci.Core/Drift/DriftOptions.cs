namespace MlOps.Ci.Drift;

/// <summary>How <see cref="DriftDetector.Analyze"/> reads live data and judges it.</summary>
public sealed record DriftOptions
{
    /// <summary>
    /// Thresholds that replace the package's own (from its model card) column by column; null or empty: the card's,
    /// else <see cref="DriftThresholds.Defaults"/>.
    /// </summary>
    public IReadOnlyList<DriftThreshold>? Thresholds { get; init; }

    /// <summary>Retraining is advised when at least this many features drifted (or the predictions did).</summary>
    public int MinDriftedFeatures { get; init; } = 1;

    /// <summary>
    /// Log lines of other versions of the model are skipped and counted; with this set, every line is read as the
    /// package's (for a log written before a version bump that did not change the model).
    /// </summary>
    public bool IncludeOtherVersions { get; init; }

    /// <summary>How the input is read; <see cref="DriftInputFormat.Auto"/> decides by extension, then by the first byte.</summary>
    public DriftInputFormat Format { get; init; } = DriftInputFormat.Auto;

    /// <summary>Read buffer size; lines longer than this are still read (the buffer grows to fit the line).</summary>
    public int BufferSize { get; init; } = 1 << 20;

    public static DriftOptions Default { get; } = new();
}

public enum DriftInputFormat
{
    Auto,

    /// <summary>The serving host's request log: one JSON object per line.</summary>
    JsonLines,

    /// <summary>A delimited file whose header names the feature columns.</summary>
    Csv,
}
