namespace MlOps.Ci.Scoring;

/// <summary>
/// A block of rows on its way through <see cref="BatchScorer"/>: the reading thread fills the input columns (numbers
/// parsed straight into floats, text cells into one buffer) and keeps each row's original text; a scoring thread runs
/// the model over it and formats the output rows as UTF-8 into <see cref="Output"/>; the writing side copies that to the
/// file in chunk order. Chunks are reused, so a file of any size allocates a fixed number of them.
/// </summary>
internal sealed class ScoringChunk
{
    private char[] _lines;
    private readonly int[] _lineEnds;

    public ScoringChunk(IReadOnlyList<ScoringInput> inputs, int capacity)
    {
        Capacity = capacity;
        Numbers = inputs.Select(i => i.Encoding == CellEncoding.Text ? null : new float[capacity]).ToArray();
        Texts = inputs.Select(i => i.Encoding == CellEncoding.Text ? new TextCells(capacity) : null).ToArray();
        _lines = new char[capacity * 96];
        _lineEnds = new int[capacity];
        Output = new byte[capacity * 160];
    }

    public int Capacity { get; }

    /// <summary>Rows in the chunk.</summary>
    public int Count { get; private set; }

    /// <summary>Per model input: its floats (numbers and booleans), or null for a text input.</summary>
    public float[]?[] Numbers { get; }

    /// <summary>Per model input: its cells (text inputs), or null for a numeric one.</summary>
    public TextCells?[] Texts { get; }

    public bool IsFull => Count == Capacity;

    /// <summary>The scored rows as UTF-8, ready to be written; <see cref="OutputLength"/> bytes of it are used.</summary>
    public byte[] Output { get; private set; }

    public int OutputLength { get; set; }

    /// <summary>The output columns the scoring found (the same for every chunk of a file): the writer's header.</summary>
    public IReadOnlyList<ScoredColumn> Columns { get; set; } = [];

    /// <summary>Ends the current row: its input cells must already be in place at index <see cref="Count"/>.</summary>
    public void AddLine(ReadOnlySpan<char> line)
    {
        var start = Count == 0 ? 0 : _lineEnds[Count - 1];
        if (start + line.Length > _lines.Length)
            Array.Resize(ref _lines, Math.Max(_lines.Length * 2, start + line.Length));
        line.CopyTo(_lines.AsSpan(start));
        _lineEnds[Count++] = start + line.Length;
    }

    public ReadOnlySpan<char> Line(int row)
    {
        var start = row == 0 ? 0 : _lineEnds[row - 1];
        return _lines.AsSpan(start, _lineEnds[row] - start);
    }

    /// <summary>Room for <paramref name="bytes"/> more output bytes; the buffer only ever grows.</summary>
    public Span<byte> OutputRoom(int bytes)
    {
        if (OutputLength + bytes > Output.Length)
        {
            var larger = Output;
            Array.Resize(ref larger, Math.Max(Output.Length * 2, OutputLength + bytes));
            Output = larger;
        }
        return Output.AsSpan(OutputLength);
    }

    public void Clear()
    {
        Count = 0;
        OutputLength = 0;
        foreach (var cells in Texts)
            cells?.Clear();
    }
}
