namespace MlOps.Ci.Scoring;

/// <summary>
/// The cells of one text column of a chunk, back to back in one buffer: no string per cell. They are copied into ONNX
/// Runtime's string tensor straight from here.
/// </summary>
internal sealed class TextCells(int capacity)
{
    private char[] _characters = new char[capacity * 16];
    private readonly int[] _ends = new int[capacity];
    private int _length;
    private int _count;

    public int Count => _count;

    public ReadOnlySpan<char> this[int row] => _characters.AsSpan(row == 0 ? 0 : _ends[row - 1], _ends[row] - (row == 0 ? 0 : _ends[row - 1]));

    public void Add(ReadOnlySpan<char> cell)
    {
        if (_length + cell.Length > _characters.Length)
            Array.Resize(ref _characters, Math.Max(_characters.Length * 2, _length + cell.Length));
        cell.CopyTo(_characters.AsSpan(_length));
        _length += cell.Length;
        _ends[_count++] = _length;
    }

    public void Clear() => _length = _count = 0;
}
