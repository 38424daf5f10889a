using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text.Unicode;

namespace MlOps.Ci.Drift;

/// <summary>
/// The fast path of <see cref="RequestLogReader"/>: a validating scanner for the JSON the serving host writes
/// (objects, arrays, numbers, literals and strings without escapes), about twice as fast as a general reader because it
/// looks only for what drift needs and parses the usual numbers without the general float parser. It accepts a line
/// only when the line is valid JSON; on anything else (an escape, a malformed token) it declines and
/// <see cref="System.Text.Json.Utf8JsonReader"/> reads the line, so both paths give the same values and the same verdict.
/// </summary>
internal sealed partial class RequestLogReader
{
    /// <summary>The properties of a host log line, in the order the host writes them, quoted and with their colon.</summary>
    private static readonly byte[][] HostProperties =
        [.. new[] { "timestamp", "requestId", "model", "version", "fingerprint", "row", "inputs", "outputs" }.Select(n => System.Text.Encoding.UTF8.GetBytes($"\"{n}\":"))];

    private bool TryScan(ReadOnlySpan<byte> line, ref LineFields fields)
    {
        var position = 0;
        if (!Expect(line, ref position, (byte)'{'))
            return false;
        SkipSpace(line, ref position);
        if (position < line.Length && line[position] == (byte)'}')
        {
            position++;
            return End(line, position);
        }
        var next = 0;
        while (true)
        {
            ReadOnlySpan<byte> name;
            // The host writes the same properties in the same order: '"name":' of the next one in one comparison.
            if (next < HostProperties.Length && line[position..].StartsWith(HostProperties[next]))
            {
                var quoted = HostProperties[next++];
                name = quoted.AsSpan(1, quoted.Length - 3);
                position += quoted.Length;
            }
            else
            {
                if (!ScanString(line, ref position, out var nameStart, out var nameLength) || !Expect(line, ref position, (byte)':'))
                    return false;
                name = line.Slice(nameStart, nameLength);
                next = HostProperties.Length;
            }
            SkipSpace(line, ref position);
            if (name.SequenceEqual(InputsName))
            {
                if (!ScanInputs(line, ref position))
                    return false;
            }
            else if (_predictionName is not null && name.SequenceEqual(OutputsName))
            {
                if (!ScanOutputs(line, ref position))
                    return false;
            }
            else if (name.SequenceEqual(VersionName) || name.SequenceEqual(ModelName) || name.SequenceEqual(TimestampName))
            {
                // Only a string is a version, model or timestamp; anything else declines to the reader, which skips it.
                if (position >= line.Length || line[position] != (byte)'"' || !ScanString(line, ref position, out var valueStart, out var valueLength))
                    return false;
                if (name[0] == (byte)'v')
                    (fields.VersionStart, fields.VersionLength) = (valueStart, valueLength);
                else if (name[0] == (byte)'m')
                    (fields.ModelStart, fields.ModelLength) = (valueStart, valueLength);
                else
                    (fields.TimestampStart, fields.TimestampLength) = (valueStart, valueLength);
            }
            else if (!SkipValue(line, ref position, depth: 0))
            {
                return false;
            }
            SkipSpace(line, ref position);
            if (position >= line.Length)
                return false;
            if (line[position] == (byte)'}')
                return End(line, position + 1);
            if (line[position] != (byte)',')
                return false;
            position++;
        }
    }

    private bool ScanInputs(ReadOnlySpan<byte> line, ref int position)
    {
        if (!Expect(line, ref position, (byte)'{'))
            return false;
        SkipSpace(line, ref position);
        if (position < line.Length && line[position] == (byte)'}')
        {
            position++;
            return true;
        }
        var names = _names;
        var expected = 0;
        while (true)
        {
            var slot = -1;
            // The usual line: the next column in the host's order, '"Name":' in one comparison.
            if (expected < names.Length && _plainNames[expected] && line[position..].StartsWith(_quotedNames[expected]))
            {
                slot = expected;
                position += _quotedNames[expected].Length;
                SkipSpace(line, ref position);
                expected = slot + 1;
                _seen[slot] = true;
                if (!(slot < _numericCount ? ScanNumber(line, ref position, slot) : ScanCategory(line, ref position, slot - _numericCount)))
                    return false;
                if (position < line.Length && line[position] == (byte)',')
                {
                    position++;
                    continue;
                }
                if (!NextMember(line, ref position, out var inputsClosed))
                    return false;
                if (inputsClosed)
                    return true;
                continue;
            }
            if (!ScanString(line, ref position, out var nameStart, out var nameLength) || !Expect(line, ref position, (byte)':'))
                return false;
            SkipSpace(line, ref position);
            var name = line.Slice(nameStart, nameLength);
            if (expected < names.Length && name.SequenceEqual(names[expected]))
            {
                slot = expected;
            }
            else
            {
                for (var i = 0; i < names.Length; i++)
                {
                    if (name.SequenceEqual(names[i]))
                    {
                        slot = i;
                        break;
                    }
                }
            }
            if (slot < 0)
            {
                if (!SkipValue(line, ref position, depth: 0))
                    return false;
            }
            else
            {
                expected = slot + 1;
                _seen[slot] = true;
                if (!(slot < _numericCount ? ScanNumber(line, ref position, slot) : ScanCategory(line, ref position, slot - _numericCount)))
                    return false;
            }
            if (!NextMember(line, ref position, out var closed))
                return false;
            if (closed)
                return true;
        }
    }

    /// <summary>The outputs object: the prediction's value is staged like a feature's, everything else skipped (validated).</summary>
    private bool ScanOutputs(ReadOnlySpan<byte> line, ref int position)
    {
        // Outputs that are not an object hold no prediction, as the general reader sees it.
        if (position >= line.Length || line[position] != (byte)'{')
            return SkipValue(line, ref position, depth: 0);
        position++;
        SkipSpace(line, ref position);
        if (position < line.Length && line[position] == (byte)'}')
        {
            position++;
            return true;
        }
        var name = _predictionName!;
        while (true)
        {
            if (!ScanString(line, ref position, out var nameStart, out var nameLength) || !Expect(line, ref position, (byte)':'))
                return false;
            SkipSpace(line, ref position);
            if (line.Slice(nameStart, nameLength).SequenceEqual(name))
            {
                _predictionSeen = true;
                if (!(_numbers.Length > _numericCount ? ScanNumber(line, ref position, _numericCount) : ScanCategory(line, ref position, _categoricalCount)))
                    return false;
            }
            else if (!SkipValue(line, ref position, depth: 1))
            {
                return false;
            }
            if (!NextMember(line, ref position, out var closed))
                return false;
            if (closed)
                return true;
        }
    }

    /// <summary>
    /// After an object member's value: '}' closes the object (<paramref name="closed"/>), ',' leads to the next member;
    /// anything else is not the host's line (false).
    /// </summary>
    private static bool NextMember(ReadOnlySpan<byte> line, ref int position, out bool closed)
    {
        closed = false;
        SkipSpace(line, ref position);
        if (position >= line.Length)
            return false;
        if (line[position] == (byte)'}')
        {
            position++;
            closed = true;
            return true;
        }
        if (line[position] != (byte)',')
            return false;
        position++;
        SkipSpace(line, ref position);
        return true;
    }

    private bool ScanNumber(ReadOnlySpan<byte> line, ref int position, int slot)
    {
        if (position >= line.Length)
            return false;
        switch (line[position])
        {
            case (byte)'n':
                return ScanLiteral(line, ref position, "null"u8);
            case (byte)'t':
                _numbers[slot] = 1;
                return ScanLiteral(line, ref position, "true"u8);
            case (byte)'f':
                _numbers[slot] = 0;
                return ScanLiteral(line, ref position, "false"u8);
        }
        // One pass checks JSON's number grammar and gathers the digits. A plain decimal whose digits form an integer of
        // at most 2^24 with at most 10 decimals is then one float division by an exact power of ten: the correctly
        // rounded value (Clinger's fast path), the same float the general parser gives, as CellValues does for CSV
        // cells. Anything else (an exponent, more digits) goes to the general parser.
        var start = position;
        var i = position;
        var negative = i < line.Length && line[i] == (byte)'-';
        if (negative)
            i++;
        if (i >= line.Length || !char.IsAsciiDigit((char)line[i]))
            return false;
        ulong mantissa = 0;
        int digits = 0, decimals = 0;
        var plain = true;
        if (line[i] == (byte)'0')
        {
            i++;
            digits = 1;
        }
        else
        {
            for (; i < line.Length && char.IsAsciiDigit((char)line[i]); i++)
            {
                mantissa = mantissa * 10 + (uint)(line[i] - '0');
                plain &= ++digits <= 9;
            }
        }
        if (i < line.Length && line[i] == (byte)'.')
        {
            var first = ++i;
            for (; i < line.Length && char.IsAsciiDigit((char)line[i]); i++)
            {
                mantissa = mantissa * 10 + (uint)(line[i] - '0');
                plain &= ++digits <= 9;
                decimals++;
            }
            if (i == first)
                return false;
        }
        if (i < line.Length && (line[i] | 0x20) == (byte)'e')
        {
            position = start;
            if (!ScanNumberToken(line, ref position))
                return false;
            i = position;
            plain = false;
        }
        position = i;
        float value;
        if (plain && mantissa <= 1UL << 24 && decimals < PowersOfTen.Length)
        {
            var magnitude = (float)mantissa / PowersOfTen[decimals];
            value = negative ? -magnitude : magnitude;
        }
        else if (!Utf8Parser.TryParse(line[start..i], out value, out var consumed) || consumed != i - start)
        {
            return false;
        }
        _numbers[slot] = float.IsFinite(value) ? value : float.NaN;
        return true;
    }

    private bool ScanCategory(ReadOnlySpan<byte> line, ref int position, int index)
    {
        if (position >= line.Length)
            return false;
        if (line[position] == (byte)'n')
            return ScanLiteral(line, ref position, "null"u8);
        var column = _categorical[index];
        if (_plainCategories[index])
        {
            // A training category, quoted, in one comparison: no scan of the string, no search of the categories.
            var quoted = _quotedCategories[index];
            var rest = line[position..];
            for (var i = 0; i < quoted.Length; i++)
            {
                if (rest.StartsWith(quoted[i]))
                {
                    position += quoted[i].Length;
                    _categories[index] = i;
                    _unseenStart[index] = -1;
                    return true;
                }
            }
        }
        if (line[position] != (byte)'"' || !ScanString(line, ref position, out var start, out var length))
            return false;
        var value = line.Slice(start, length);
        var trimmed = value.Trim(" \t"u8);
        if (trimmed.IsEmpty)
            return true;
        var category = column.IndexOf(trimmed);
        _categories[index] = category;
        _unseenStart[index] = category == column.OtherIndex ? start : -1;
        _unseenLength[index] = length;
        return true;
    }

    /// <summary>The bytes a string holds in the usual case: printable ASCII other than the quote and the backslash.</summary>
    private static readonly SearchValues<byte> PlainStringBytes = SearchValues.Create(
        Enumerable.Range(0x20, 0x7F - 0x20 + 1).Where(b => b is not '"' and not '\\').Select(b => (byte)b).ToArray());

    /// <summary>Per byte: 0 plain string content (printable ASCII but the quote and the backslash), 1 the quote, 2 anything else.</summary>
    private static ReadOnlySpan<byte> StringByteClass => [2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2];

    /// <summary>A string without escapes: its content's start and length; declines escapes, control characters and invalid UTF-8.</summary>
    private static bool ScanString(ReadOnlySpan<byte> line, ref int position, out int start, out int length)
    {
        start = length = 0;
        if ((uint)position >= (uint)line.Length || line[position] != (byte)'"')
            return false;
        start = position + 1;
        // Most strings are short names: a table lookup per byte beats a vectorized search's setup. A long one (an id,
        // a fingerprint) goes on vectorized after the first 16 bytes.
        var classes = StringByteClass;
        var i = start;
        var scalarEnd = Math.Min(line.Length, start + 16);
        while (i < scalarEnd && classes[line[i]] == 0)
            i++;
        if (i == scalarEnd)
        {
            var next = line[i..].IndexOfAnyExcept(PlainStringBytes);
            if (next < 0)
                return false;
            i += next;
        }
        if (line[i] != (byte)'"')
        {
            var rest = line[i..];
            var quote = rest.IndexOfAny((byte)'"', (byte)'\\');
            if (quote < 0 || rest[quote] == (byte)'\\' || rest[..quote].IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0 || !Utf8.IsValid(rest[..quote]))
                return false;
            i += quote;
        }
        length = i - start;
        position = i + 1;
        return true;
    }

    /// <summary>Skips one JSON value (nested ones included), validating it as it goes.</summary>
    private static bool SkipValue(ReadOnlySpan<byte> line, ref int position, int depth)
    {
        if (position >= line.Length || depth > 64)
            return false;
        switch (line[position])
        {
            case (byte)'"':
                return ScanString(line, ref position, out _, out _);
            case (byte)'t':
                return ScanLiteral(line, ref position, "true"u8);
            case (byte)'f':
                return ScanLiteral(line, ref position, "false"u8);
            case (byte)'n':
                return ScanLiteral(line, ref position, "null"u8);
            case (byte)'{':
            case (byte)'[':
                var isObject = line[position] == (byte)'{';
                var close = isObject ? (byte)'}' : (byte)']';
                position++;
                SkipSpace(line, ref position);
                if (position < line.Length && line[position] == close)
                {
                    position++;
                    return true;
                }
                while (true)
                {
                    if (isObject && (!ScanString(line, ref position, out _, out _) || !Expect(line, ref position, (byte)':')))
                        return false;
                    SkipSpace(line, ref position);
                    if (!SkipValue(line, ref position, depth + 1))
                        return false;
                    SkipSpace(line, ref position);
                    if (position >= line.Length)
                        return false;
                    if (line[position] == close)
                    {
                        position++;
                        return true;
                    }
                    if (line[position] != (byte)',')
                        return false;
                    position++;
                    SkipSpace(line, ref position);
                }
            default:
                return ScanNumberToken(line, ref position);
        }
    }

    /// <summary>JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?.</summary>
    private static bool ScanNumberToken(ReadOnlySpan<byte> line, ref int position)
    {
        var i = position;
        if (i < line.Length && line[i] == (byte)'-')
            i++;
        if (i >= line.Length || !char.IsAsciiDigit((char)line[i]))
            return false;
        // A leading 0 stands alone (JSON has no octal-looking 012).
        i = line[i] == (byte)'0' ? i + 1 : SkipDigits(line, i);
        if (i < line.Length && line[i] == (byte)'.')
        {
            var fraction = i + 1;
            i = SkipDigits(line, fraction);
            if (i == fraction)
                return false;
        }
        if (i < line.Length && (line[i] | 0x20) == (byte)'e')
        {
            i++;
            if (i < line.Length && (line[i] == (byte)'+' || line[i] == (byte)'-'))
                i++;
            var exponent = i;
            i = SkipDigits(line, exponent);
            if (i == exponent)
                return false;
        }
        position = i;
        return true;
    }

    /// <summary>The index after the run of ASCII digits that starts at <paramref name="i"/>.</summary>
    private static int SkipDigits(ReadOnlySpan<byte> line, int i)
    {
        while (i < line.Length && char.IsAsciiDigit((char)line[i]))
            i++;
        return i;
    }

    // 10^0 … 10^10: each exactly representable as a float (5^10 < 2^24). A field, not a span property: a float span
    // literal is a new array per call.
    private static readonly float[] PowersOfTen = [1f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f];

    private static bool ScanLiteral(ReadOnlySpan<byte> line, ref int position, ReadOnlySpan<byte> literal)
    {
        if (!line[position..].StartsWith(literal))
            return false;
        position += literal.Length;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Expect(ReadOnlySpan<byte> line, ref int position, byte expected)
    {
        SkipSpace(line, ref position);
        if (position >= line.Length || line[position] != expected)
            return false;
        position++;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SkipSpace(ReadOnlySpan<byte> line, ref int position)
    {
        while (position < line.Length && line[position] is (byte)' ' or (byte)'\t' or (byte)'\r')
            position++;
    }

    /// <summary>Only white space may follow the object.</summary>
    private static bool End(ReadOnlySpan<byte> line, int position)
    {
        SkipSpace(line, ref position);
        return position == line.Length;
    }
}
