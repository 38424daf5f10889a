using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using nietras.SeparatedValues;

namespace MlOps.Ci.Scoring;

/// <summary>
/// A block of rows on its way through <see cref="BatchScorer"/>: the reading thread only copies each row's text and notes
/// where the model's cells are in it (<see cref="AddRow"/>); a scoring thread converts those cells into the input columns
/// (<see cref="ParseCells"/>: numbers straight into floats, text cells into one buffer), runs the model over them and
/// formats the output rows as UTF-8 into <see cref="Output"/>; the writing side copies that to the file in chunk order.
/// Chunks are reused, so a file of any size allocates a fixed number of them.
/// </summary>
internal sealed class ScoringChunk
{
    private char[] _lines;
    private readonly int[] _lineEnds;
    private readonly int[] _lineNumbers;
    // Per model input and row: where the cell's text starts in _lines, or ~i for entry i of _unescaped (a quoted cell,
    // whose value differs from its text in the row).
    private readonly int[][] _cellStarts;
    private readonly int[][] _cellLengths;
    private readonly TextCells _unescaped;

    public ScoringChunk(IReadOnlyList<ScoringInput> inputs, int capacity)
    {
        Capacity = capacity;
        Numbers = inputs.Select(i => i.Encoding == CellEncoding.Text ? null : new float[capacity]).ToArray();
        Texts = inputs.Select(i => i.Encoding == CellEncoding.Text ? new TextCells(capacity) : null).ToArray();
        _lines = new char[capacity * 96];
        _lineEnds = new int[capacity];
        _lineNumbers = new int[capacity];
        _cellStarts = inputs.Select(_ => new int[capacity]).ToArray();
        _cellLengths = inputs.Select(_ => new int[capacity]).ToArray();
        _unescaped = new TextCells(Math.Max(16, capacity / 64));
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

    /// <summary>Problems found in the chunk's rows (ragged rows, unparsable cells), merged in line order by the writing side.</summary>
    public List<Diagnostic> Errors { get; } = [];

    /// <summary>Whether <see cref="ParseCells"/> found a problem (the chunk is then not scored).</summary>
    public bool HasErrors => Errors.Count > 0;

    /// <summary>Adds the row's text and the places of the model's cells in it; nothing is converted yet.</summary>
    public void AddRow(SepReader.Row row, IReadOnlyList<ScoringInput> inputs)
    {
        var line = row.Span;
        var start = Count == 0 ? 0 : _lineEnds[Count - 1];
        if (start + line.Length > _lines.Length)
            Array.Resize(ref _lines, Math.Max(_lines.Length * 2, start + line.Length));
        line.CopyTo(_lines.AsSpan(start));
        ref var lineStart = ref MemoryMarshal.GetReference(line);
        for (var k = 0; k < inputs.Count; k++)
        {
            var cell = row[inputs[k].Column].Span;
            // A plain cell is a slice of the row's own text; Sep hands a quoted one back unescaped, from elsewhere.
            var offset = (long)Unsafe.ByteOffset(ref lineStart, ref MemoryMarshal.GetReference(cell)) / sizeof(char);
            // Compared with the copy, not the row: whatever Sep did to its own buffer, the copy is what the row says.
            if (offset >= 0 && offset + cell.Length <= line.Length && _lines.AsSpan(start + (int)offset, cell.Length).SequenceEqual(cell))
            {
                _cellStarts[k][Count] = start + (int)offset;
            }
            else
            {
                _cellStarts[k][Count] = ~_unescaped.Count;
                _unescaped.Add(cell);
            }
            _cellLengths[k][Count] = cell.Length;
        }
        _lineNumbers[Count] = row.LineNumberFrom;
        _lineEnds[Count++] = start + line.Length;
    }

    /// <summary>
    /// Converts the model's cells into its input columns (on a scoring thread); a cell that is not what the schema says
    /// becomes an error with its file, line and column.
    /// </summary>
    public void ParseCells(IReadOnlyList<ScoringInput> inputs, string path)
    {
        for (var k = 0; k < inputs.Count; k++)
        {
            var input = inputs[k];
            var starts = _cellStarts[k];
            var lengths = _cellLengths[k];
            var numbers = Numbers[k];
            var texts = Texts[k];
            for (var r = 0; r < Count; r++)
            {
                var cell = starts[r] >= 0 ? _lines.AsSpan(starts[r], lengths[r]) : _unescaped[~starts[r]];
                switch (input.Encoding)
                {
                    case CellEncoding.Text:
                        texts!.Add(CellValues.IsMissing(cell) ? [] : cell.Trim());
                        break;
                    case CellEncoding.Boolean:
                        numbers![r] = CellValues.TryParseBoolean(cell, out var flag) ? (flag ? 1 : 0)
                            : CellValues.IsMissing(cell) ? float.NaN : Bad(path, r, input, cell, "a boolean");
                        break;
                    default:
                        numbers![r] = CellValues.TryParseNumber(cell, out var number) ? number
                            : CellValues.IsMissing(cell) ? float.NaN : Bad(path, r, input, cell, "a number");
                        break;
                }
            }
        }
    }

    private float Bad(string path, int row, ScoringInput input, ReadOnlySpan<char> cell, string expected)
    {
        Errors.Add(Diagnostic.Error(DiagnosticCodes.UnparsableNumber, $"'{cell}' in column '{input.Name}' is not {expected}.",
            new SourceLocation(path, _lineNumbers[row], input.Column + 1), "The model's input schema says what each column holds ('mlops inspect')."));
        return float.NaN;
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
        Errors.Clear();
        _unescaped.Clear();
        foreach (var cells in Texts)
            cells?.Clear();
    }
}
