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
    public long Lines { get; set; }
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

    /// <summary>Distinct (model, version) pairs kept apart; beyond this many the rest are pooled under "(others)".</summary>
    public const int MaxSkippedVersions = 32;

    public void AddSkipped(string model, string version, long rows)
    {
        var index = _skipped.FindIndex(s => s.Model == model && s.Version == version);
        if (index < 0 && _skipped.Count >= MaxSkippedVersions)
        {
            (model, version) = ("(others)", "(others)");
            index = _skipped.FindIndex(s => s.Model == model && s.Version == version);
        }
        if (index < 0)
            _skipped.Add(new SkippedVersion(model, version, rows));
        else
            _skipped[index] = _skipped[index] with { Rows = _skipped[index].Rows + rows };
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
