using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using MlOps.Ci.Data;

namespace MlOps.Ci.Drift;

/// <summary>
/// Streams the serving host's request log (one JSON object per line, see the host's RequestLog) into the live columns:
/// one pass over pooled buffers, one <see cref="Utf8JsonReader"/> per line, no string per line. A line's values are
/// staged and counted only once the whole line has parsed and is of the package's model and version, so a damaged line
/// or another version's line never leaks into the statistics. A last line without its newline (a log still being
/// written) is read only when it parses completely.
/// </summary>
internal sealed partial class RequestLogReader
{
    private static ReadOnlySpan<byte> TimestampName => "timestamp"u8;
    private static ReadOnlySpan<byte> ModelName => "model"u8;
    private static ReadOnlySpan<byte> VersionName => "version"u8;
    private static ReadOnlySpan<byte> InputsName => "inputs"u8;
    private static ReadOnlySpan<byte> OutputsName => "outputs"u8;

    private readonly LiveColumns _columns;
    private readonly byte[][] _names;

    // Arrays rather than the lists of LiveColumns: indexed for every value of every line.
    private readonly NumericLiveColumn[] _numeric;
    private readonly CategoricalLiveColumn[] _categorical;

    // The scanner's shortcuts: '"Name":' per column and '"value"' per training category, compared in one step when
    // they hold only plain ASCII (they then prove the string valid too); other names go the general way.
    private readonly byte[][] _quotedNames;
    private readonly byte[][][] _quotedCategories;
    private readonly bool[] _plainNames;
    private readonly bool[] _plainCategories;

    /// <summary>Printable ASCII without the quote or the backslash: written as is inside a JSON string.</summary>
    private static bool IsPlain(string text) => text.All(c => c is >= ' ' and <= '~' and not '"' and not '\\');
    private readonly byte[] _model;
    private readonly byte[] _version;
    private readonly bool _includeOtherVersions;
    private readonly int _numericCount;

    // The prediction, when the package has its reference: its output name, and its staging place after the features'
    // in _numbers (numeric) or in the categorical arrays (the prediction's column is then _categorical's last entry).
    private readonly byte[]? _predictionName;
    private readonly int _categoricalCount;
    private bool _predictionSeen;

    // The current line's staged values, by column slot.
    private readonly float[] _numbers;
    private readonly int[] _categories;
    private readonly int[] _unseenStart;
    private readonly int[] _unseenLength;
    private readonly bool[] _seen;

    private readonly byte[] _lastTimestamp = new byte[64];
    private readonly byte[] _unescaped = new byte[256];
    private int _lastTimestampLength;

    public RequestLogReader(LiveColumns columns, string model, string version, bool includeOtherVersions)
    {
        _columns = columns;
        _names = columns.Names.Select(Encoding.UTF8.GetBytes).ToArray();
        _numeric = columns.Numeric.ToArray();
        _categoricalCount = columns.Categorical.Count;
        _categorical = columns.CategoricalPrediction is { } categoricalPrediction ? [.. columns.Categorical, categoricalPrediction] : columns.Categorical.ToArray();
        _predictionName = columns.PredictionReference is { } prediction ? Encoding.UTF8.GetBytes(prediction.Name) : null;
        _quotedNames = columns.Names.Select(n => Encoding.UTF8.GetBytes($"\"{n}\":")).ToArray();
        _plainNames = columns.Names.Select(IsPlain).ToArray();
        _plainCategories = _categorical.Select(c => c.Categories.All(v => IsPlain(v.Value) && v.Value.Trim() == v.Value)).ToArray();
        _quotedCategories = _categorical.Select(c => c.Categories.Select(v => Encoding.UTF8.GetBytes($"\"{v.Value}\"")).ToArray()).ToArray();
        _model = Encoding.UTF8.GetBytes(model);
        _version = Encoding.UTF8.GetBytes(version);
        _includeOtherVersions = includeOtherVersions;
        _numericCount = columns.Numeric.Count;
        _numbers = new float[_numericCount + (columns.NumericPrediction is null ? 0 : 1)];
        _categories = new int[_categorical.Length];
        _unseenStart = new int[_categorical.Length];
        _unseenLength = new int[_categorical.Length];
        _seen = new bool[_names.Length];
    }

    /// <summary>How many lines the fast scanner read (the rest went to Utf8JsonReader): for tests and the benchmark.</summary>
    public long ScannedLines { get; private set; }

    public LiveDataRead Read(Stream stream, int bufferSize)
    {
        var read = new LiveDataRead(_names.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bufferSize, 4096));
        try
        {
            int filled = 0, start = 0;
            long line = 0;
            while (true)
            {
                var got = stream.Read(buffer, filled, buffer.Length - filled);
                if (got == 0)
                    break;
                filled += got;
                var span = buffer.AsSpan(0, filled);
                while (true)
                {
                    var newline = span[start..].IndexOf((byte)'\n');
                    if (newline < 0)
                        break;
                    ReadLine(span.Slice(start, newline), ++line, read);
                    start += newline + 1;
                }
                // Keep the incomplete rest at the front; a line longer than the buffer makes it grow.
                var rest = filled - start;
                if (start == 0 && rest == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, rest).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                else if (start > 0)
                {
                    buffer.AsSpan(start, rest).CopyTo(buffer);
                }
                filled = rest;
                start = 0;
            }
            if (filled > 0 && !buffer.AsSpan(0, filled).Trim(" \t\r"u8).IsEmpty)
            {
                line++;
                if (!TryReadLine(buffer.AsSpan(0, filled), line, read, out _))
                {
                    read.LastLineTruncated = true;
                    read.TruncatedLine = line;
                }
            }
            if (_lastTimestampLength > 0)
                read.Last = ParseTimestamp(_lastTimestamp.AsSpan(0, _lastTimestampLength));
            return read;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReadLine(ReadOnlySpan<byte> line, long number, LiveDataRead read)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
            line = line[..^1];
        if (line.IsEmpty || line.Trim(" \t"u8).IsEmpty)
            return;
        if (!TryReadLine(line, number, read, out var reason))
            read.Invalid(number, reason!);
    }

    /// <summary>Where a line's model, version and timestamp strings lie in it (start −1: absent).</summary>
    private struct LineFields
    {
        public int ModelStart, ModelLength, VersionStart, VersionLength, TimestampStart, TimestampLength;

        public static LineFields None => new() { ModelStart = -1, VersionStart = -1, TimestampStart = -1 };
    }

    private void ResetStaging()
    {
        Array.Fill(_numbers, float.NaN);
        Array.Fill(_categories, -1);
        Array.Clear(_seen);
        _predictionSeen = false;
    }

    private bool TryReadLine(ReadOnlySpan<byte> line, long number, LiveDataRead read, out string? reason)
    {
        // The scanner takes the lines the host writes; anything it does not expect (an escape, another layout, an
        // error) goes to Utf8JsonReader, which decides exactly what the line holds or why it is not JSON.
        ResetStaging();
        var fields = LineFields.None;
        if (TryScan(line, ref fields))
        {
            ScannedLines++;
        }
        else
        {
            ResetStaging();
            fields = LineFields.None;
            if (!TryRead(line, ref fields, out reason))
                return false;
        }
        reason = null;
        Accept(line, fields, number, read);
        return true;
    }

    private bool TryRead(ReadOnlySpan<byte> line, ref LineFields fields, out string? reason)
    {
        int modelStart = -1, modelLength = 0, versionStart = -1, versionLength = 0, timestampStart = -1, timestampLength = 0;
        try
        {
            var reader = new Utf8JsonReader(line, isFinalBlock: true, state: default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                reason = "the line is not a JSON object";
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals(InputsName))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reason = "\"inputs\" is not an object";
                        return false;
                    }
                    ReadInputs(ref reader, line);
                }
                else if (_predictionName is not null && reader.ValueTextEquals(OutputsName))
                {
                    reader.Read();
                    // Outputs that are not an object hold no prediction; the line is still a valid entry.
                    if (reader.TokenType == JsonTokenType.StartObject)
                        ReadOutputs(ref reader);
                    else
                        reader.Skip();
                }
                else if (reader.ValueTextEquals(VersionName))
                {
                    reader.Read();
                    (versionStart, versionLength) = StringAt(ref reader);
                }
                else if (reader.ValueTextEquals(ModelName))
                {
                    reader.Read();
                    (modelStart, modelLength) = StringAt(ref reader);
                }
                else if (reader.ValueTextEquals(TimestampName))
                {
                    reader.Read();
                    (timestampStart, timestampLength) = StringAt(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                reason = "the JSON object does not end the line";
                return false;
            }
        }
        catch (Exception exception) when (exception is JsonException or InvalidDataException)
        {
            reason = exception.Message;
            return false;
        }
        reason = null;
        fields = new LineFields
        {
            ModelStart = modelStart, ModelLength = modelLength, VersionStart = versionStart, VersionLength = versionLength,
            TimestampStart = timestampStart, TimestampLength = timestampLength,
        };
        return true;
    }

    private void Accept(ReadOnlySpan<byte> line, LineFields fields, long number, LiveDataRead read)
    {
        var (modelStart, modelLength, versionStart, versionLength, timestampStart, timestampLength) =
            (fields.ModelStart, fields.ModelLength, fields.VersionStart, fields.VersionLength, fields.TimestampStart, fields.TimestampLength);

        // A line that names no model or version is taken to be the package's (a log written by another tool).
        var isOurs = _includeOtherVersions
            || ((modelStart < 0 || line.Slice(modelStart, modelLength).SequenceEqual(_model))
                && (versionStart < 0 || line.Slice(versionStart, versionLength).SequenceEqual(_version)));
        if (!isOurs)
        {
            read.AddSkipped(modelStart < 0 ? [] : line.Slice(modelStart, modelLength), versionStart < 0 ? [] : line.Slice(versionStart, versionLength));
            return;
        }
        Commit(line, read, number);
        if (timestampStart >= 0 && timestampLength <= _lastTimestamp.Length)
        {
            var timestamp = line.Slice(timestampStart, timestampLength);
            if (read.First is null)
                read.First = ParseTimestamp(timestamp);
            timestamp.CopyTo(_lastTimestamp);
            _lastTimestampLength = timestampLength;
        }
    }

    private void ReadInputs(ref Utf8JsonReader reader, ReadOnlySpan<byte> line)
    {
        var names = _names;
        var expected = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // The host writes the inputs in the same order every line: try the next expected column first.
            var slot = -1;
            if (expected < names.Length && NameIs(ref reader, names[expected]))
            {
                slot = expected;
            }
            else
            {
                for (var i = 0; i < names.Length; i++)
                {
                    if (NameIs(ref reader, names[i]))
                    {
                        slot = i;
                        break;
                    }
                }
            }
            reader.Read();
            if (slot < 0)
            {
                reader.Skip();
                continue;
            }
            expected = slot + 1;
            _seen[slot] = true;
            if (slot < _numericCount)
                _numbers[slot] = NumberOf(ref reader);
            else
                StageCategory(ref reader, slot - _numericCount);
        }
        if (reader.TokenType != JsonTokenType.EndObject)
            throw new InvalidDataException("\"inputs\" does not end as an object");
    }

    private void ReadOutputs(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isPrediction = NameIs(ref reader, _predictionName!);
            reader.Read();
            if (!isPrediction)
            {
                reader.Skip();
                continue;
            }
            _predictionSeen = true;
            if (_numbers.Length > _numericCount)
                _numbers[_numericCount] = NumberOf(ref reader);
            else
                StageCategory(ref reader, _categoricalCount);
        }
        if (reader.TokenType != JsonTokenType.EndObject)
            throw new InvalidDataException("\"outputs\" does not end as an object");
    }

    private static bool NameIs(ref Utf8JsonReader reader, byte[] name) =>
        reader.ValueIsEscaped ? reader.ValueTextEquals(name) : reader.ValueSpan.SequenceEqual(name);

    private static float NumberOf(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetSingle(out var number) && float.IsFinite(number) ? number : float.NaN;
            case JsonTokenType.True:
                return 1;
            case JsonTokenType.False:
                return 0;
            case JsonTokenType.String:
                // Not what the host writes, but what a hand-made log may hold: read it the way a CSV cell is read.
                var text = reader.GetString() ?? "";
                if (CellValues.TryParseNumber(text, out var parsed))
                    return parsed;
                return CellValues.TryParseBoolean(text, out var flag) ? (flag ? 1 : 0) : float.NaN;
            case JsonTokenType.StartObject or JsonTokenType.StartArray:
                reader.Skip();
                return float.NaN;
            default:
                return float.NaN;
        }
    }

    private void StageCategory(ref Utf8JsonReader reader, int index)
    {
        var column = _categorical[index];
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }
        if (reader.TokenType == JsonTokenType.Null)
            return;
        ReadOnlySpan<byte> value;
        if (reader.TokenType != JsonTokenType.String)
        {
            value = reader.ValueSpan;
        }
        else if (!reader.ValueIsEscaped)
        {
            value = reader.ValueSpan;
        }
        else
        {
            var length = reader.ValueSpan.Length <= _unescaped.Length ? reader.CopyString(_unescaped) : -1;
            value = length >= 0 ? _unescaped.AsSpan(0, length) : Encoding.UTF8.GetBytes(reader.GetString() ?? "");
        }
        value = value.Trim(" \t"u8);
        if (value.IsEmpty)
            return;
        var category = column.IndexOf(value);
        _categories[index] = category;
        _unseenStart[index] = -1;
        if (category == column.OtherIndex && !reader.ValueIsEscaped)
        {
            _unseenStart[index] = (int)reader.TokenStartIndex + (reader.TokenType == JsonTokenType.String ? 1 : 0);
            _unseenLength[index] = reader.ValueSpan.Length;
        }
    }

    private void Commit(ReadOnlySpan<byte> line, LiveDataRead read, long number)
    {
        read.RowsRead++;
        if (read.FirstRowLine == 0)
            read.FirstRowLine = number;
        var numeric = _numeric;
        for (var i = 0; i < numeric.Length; i++)
            numeric[i].Add(_numbers[i]);
        for (var i = 0; i < _categoricalCount; i++)
            CommitCategory(line, i);
        // A line without the prediction (a log written without outputs) is not a missing prediction: it is not counted.
        if (_predictionSeen)
        {
            if (_columns.NumericPrediction is { } prediction)
                prediction.Add(_numbers[_numericCount]);
            else
                CommitCategory(line, _categoricalCount);
        }
        var seen = read.ColumnSeen;
        for (var i = 0; i < _seen.Length; i++)
            seen[i] |= _seen[i];
    }

    private void CommitCategory(ReadOnlySpan<byte> line, int i)
    {
        var column = _categorical[i];
        column.Add(_categories[i]);
        if (_categories[i] == column.OtherIndex && _unseenStart[i] >= 0)
            column.NoteUnseen(line.Slice(_unseenStart[i], _unseenLength[i]).Trim(" \t"u8));
    }

    private static (int Start, int Length) StringAt(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            reader.Skip();
            return (-1, 0);
        }
        return ((int)reader.TokenStartIndex + 1, reader.ValueSpan.Length);
    }

    private static DateTimeOffset? ParseTimestamp(ReadOnlySpan<byte> utf8) =>
        Utf8Parser.TryParse(utf8, out DateTimeOffset value, out var consumed, 'O') && consumed == utf8.Length ? value
        : DateTimeOffset.TryParse(Encoding.UTF8.GetString(utf8), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var parsed) ? parsed
        : null;
}
