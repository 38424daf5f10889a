using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MlOps.Ci.Data;
using MlOps.Ci.Serving.Model;

namespace MlOps.Ci.Serving.Protocol;

/// <summary>Reading one JSON value into a column, the same way for /predict rows and Open Inference Protocol tensors.</summary>
internal static class JsonValues
{
    public static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 32 };

    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private const int MaxQuotedLength = 60;

    /// <summary>
    /// Reads the current token as the column's value: a number (or a numeric string) for a numeric column; true/false,
    /// "yes"/"no", 0/1 for a boolean one; a string (or a number's literal text) for a categorical one. null, and the
    /// missing markers training knows ("", "NA", …), are missing values. Returns null on success, else what is wrong.
    /// </summary>
    public static string? Store(ref Utf8JsonReader reader, InputColumn column, ScoringBatch batch, int row)
    {
        switch (column.Kind)
        {
            case ColumnKind.Categorical:
                switch (reader.TokenType)
                {
                    case JsonTokenType.Null:
                        batch.Texts[column.Index][row] = "";
                        return null;
                    case JsonTokenType.String:
                    {
                        Span<char> scratch = stackalloc char[128];
                        batch.Texts[column.Index][row] = column.Category(Text(in reader, scratch));
                        return null;
                    }
                    case JsonTokenType.Number:
                    {
                        // A code such as a zip code, sent as a number: its literal text is the category.
                        Span<char> scratch = stackalloc char[64];
                        var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
                        batch.Texts[column.Index][row] = raw.Length <= scratch.Length
                            ? column.Category(scratch[..Encoding.UTF8.GetChars(raw, scratch)])
                            : column.Category(Encoding.UTF8.GetString(raw));
                        return null;
                    }
                    default:
                        return Expected(ref reader, column);
                }
            case ColumnKind.Boolean:
            {
                float value;
                switch (reader.TokenType)
                {
                    case JsonTokenType.True:
                        value = 1;
                        break;
                    case JsonTokenType.False:
                        value = 0;
                        break;
                    case JsonTokenType.Null:
                        value = float.NaN;
                        break;
                    case JsonTokenType.Number when reader.TryGetSingle(out var number) && number is 0 or 1:
                        value = number;
                        break;
                    case JsonTokenType.String:
                    {
                        Span<char> scratch = stackalloc char[128];
                        var text = Text(in reader, scratch);
                        if (CellValues.IsMissing(text))
                            value = float.NaN;
                        else if (CellValues.TryParseBoolean(text, out var flag))
                            value = flag ? 1 : 0;
                        else
                            return Expected(ref reader, column);
                        break;
                    }
                    default:
                        return Expected(ref reader, column);
                }
                batch.Numbers[column.Index][row] = value;
                return null;
            }
            default:
            {
                float value;
                switch (reader.TokenType)
                {
                    case JsonTokenType.Number:
                        if (!reader.TryGetSingle(out value) || !float.IsFinite(value))
                            return $"{column.Name} must be a number within the range of a float, got {Describe(ref reader)}";
                        break;
                    case JsonTokenType.Null:
                        value = float.NaN;
                        break;
                    case JsonTokenType.String:
                    {
                        // Numbers as text, the way a CSV holds them; "" and "NA" are missing, as in training.
                        Span<char> scratch = stackalloc char[128];
                        var text = Text(in reader, scratch);
                        if (CellValues.IsMissing(text))
                            value = float.NaN;
                        else if (!CellValues.TryParseNumber(text, out value))
                            return Expected(ref reader, column);
                        break;
                    }
                    default:
                        return Expected(ref reader, column);
                }
                batch.Numbers[column.Index][row] = value;
                return null;
            }
        }
    }

    /// <summary>"Tenure must be a number, got \"abc\"".</summary>
    public static string Expected(ref Utf8JsonReader reader, InputColumn column) => $"{column.Name} must be {column.Expected}, got {Describe(ref reader)}";

    /// <summary>The current token for a message: a string quoted (and cut short), a number or literal as sent, "an object", "an array".</summary>
    public static string Describe(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String or JsonTokenType.PropertyName:
                var text = reader.GetString() ?? "";
                return JsonSerializer.Serialize(text.Length > MaxQuotedLength ? text[..MaxQuotedLength] + "…" : text);
            case JsonTokenType.Number:
                var raw = Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
                return raw.Length > MaxQuotedLength ? raw[..MaxQuotedLength] + "…" : raw;
            case JsonTokenType.True:
                return "true";
            case JsonTokenType.False:
                return "false";
            case JsonTokenType.Null:
                return "null";
            case JsonTokenType.StartObject:
                return "an object";
            case JsonTokenType.StartArray:
                return "an array";
            default:
                return reader.TokenType.ToString();
        }
    }

    /// <summary>The current string token as characters, unescaped, in <paramref name="scratch"/> when it fits.</summary>
    public static ReadOnlySpan<char> Text(in Utf8JsonReader reader, Span<char> scratch)
    {
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        // Unescaped, a string has at most as many characters as its UTF-8 bytes.
        return length <= scratch.Length ? scratch[..reader.CopyString(scratch)] : (reader.GetString() ?? "").AsSpan();
    }

    /// <summary>Writes a float, or null for NaN/infinity (which JSON cannot hold).</summary>
    public static void WriteNumber(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
            writer.WriteNumberValue(value);
        else
            writer.WriteNullValue();
    }
}
