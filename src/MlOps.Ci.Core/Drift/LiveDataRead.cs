namespace MlOps.Ci.Drift;

/// <summary>What reading the live data found besides the values: counts, skipped versions, problems and the time window.</summary>
internal sealed class LiveDataRead
{
    private readonly List<SkippedVersion> _skipped = [];

    public LiveDataRead(int columns)
    {
        ColumnSeen = new bool[columns];
    }

    public long RowsRead { get; set; }
    public long LinesInvalid { get; set; }
    public long FirstInvalidLine { get; set; }
    public string? FirstInvalidReason { get; set; }
    public bool LastLineTruncated { get; set; }
    public long TruncatedLine { get; set; }
    public long FirstRowLine { get; set; }
    public DateTimeOffset? First { get; set; }
    public DateTimeOffset? Last { get; set; }

    /// <summary>Per column slot: whether any row read had the column at all (null counts as present, absent does not).</summary>
    public bool[] ColumnSeen { get; }

    public IReadOnlyList<SkippedVersion> Skipped => _skipped;
    public long RowsSkipped => _skipped.Sum(s => s.Rows);

    /// <summary>Distinct (model, version) pairs kept apart; beyond this many the rest are pooled in the last entry, "(others)".</summary>
    public const int MaxSkippedVersions = 32;

    // The skipped pairs as UTF-8, beside _skipped: a log line is matched without making strings.
    private readonly List<(byte[] Model, byte[] Version)> _skippedUtf8 = [];

    /// <summary>Counts one row of another model or version; strings are made only for a pair not seen before.</summary>
    public void AddSkipped(ReadOnlySpan<byte> model, ReadOnlySpan<byte> version)
    {
        for (var i = 0; i < _skippedUtf8.Count; i++)
        {
            if (model.SequenceEqual(_skippedUtf8[i].Model) && version.SequenceEqual(_skippedUtf8[i].Version))
            {
                _skipped[i] = _skipped[i] with { Rows = _skipped[i].Rows + 1 };
                return;
            }
        }
        if (_skipped.Count >= MaxSkippedVersions)
        {
            // Beyond the limit every other pair is pooled in the last entry.
            _skipped[^1] = _skipped[^1] with { Model = "(others)", Version = "(others)", Rows = _skipped[^1].Rows + 1 };
            return;
        }
        _skippedUtf8.Add((model.ToArray(), version.ToArray()));
        _skipped.Add(new SkippedVersion(System.Text.Encoding.UTF8.GetString(model), System.Text.Encoding.UTF8.GetString(version), 1));
    }

    public void Invalid(long line, string reason)
    {
        if (LinesInvalid++ == 0)
        {
            FirstInvalidLine = line;
            FirstInvalidReason = reason;
        }
    }
}
