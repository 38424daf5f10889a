using System.Buffers;
using System.Text.Json;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Monitoring;

/// <summary>
/// A logged row's outputs as the host wrote them: the predicted label (classifiers), and the numbers behind it: binary
/// <c>[probability]</c> (the score when the model has no probability), multiclass the class scores in the card's class
/// order, regression <c>[score]</c>.
/// </summary>
public sealed record LoggedPrediction(string? PredictedLabel, float[] Values);

/// <summary>What reading the log found besides the predictions it was asked for.</summary>
public sealed record PredictionLogRead(
    IReadOnlyDictionary<LoggedRowKey, LoggedPrediction> Predictions,
    long Lines,
    long LinesInvalid,
    long FirstInvalidLine,
    bool LastLineTruncated,
    long OtherModelRows);

/// <summary>
/// Streams the serving host's request log (JSON lines, see the host's RequestLog) and keeps only the predictions of the
/// wanted rows, so memory follows the labels, not the log. Lines of another model (by fingerprint) are counted, never
/// joined; a line that is not a log entry is counted and skipped; a last line without its newline is read only when it
/// parses (a log still being written ends mid-line).
/// </summary>
public static class LoggedPredictions
{
    public static PredictionLogRead Read(string path, string fingerprint, IReadOnlyList<string> classes, ICollection<LoggedRowKey> wanted)
    {
        if (!File.Exists(path))
        {
            throw MlOpsException.Of(DiagnosticCodes.FeedbackLogNotFound, $"The request log '{path}' does not exist.", new SourceLocation(path),
                "Give --log the serving host's request log (mlops serve --request-log; mlops-requests.jsonl in its working folder by default).");
        }
        var predictions = new Dictionary<LoggedRowKey, LoggedPrediction>();
        long lines = 0, invalid = 0, firstInvalid = 0, otherModel = 0;
        var truncated = false;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            int filled = 0;
            while (true)
            {
                if (filled == buffer.Length)
                {
                    // A line longer than the buffer: grow it.
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var got = stream.Read(buffer, filled, buffer.Length - filled);
                var end = got == 0;
                filled += got;
                var start = 0;
                while (true)
                {
                    var newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n');
                    if (newline < 0)
                        break;
                    Line(buffer.AsSpan(start, newline), complete: true);
                    start += newline + 1;
                }
                if (end)
                {
                    if (filled > start && !buffer.AsSpan(start, filled - start).Trim(" \t\r"u8).IsEmpty)
                        Line(buffer.AsSpan(start, filled - start), complete: false);
                    break;
                }
                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (lines == 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.FeedbackLogEmpty,
                truncated ? $"The request log '{path}' holds no complete line (only a cut one)." : $"The request log '{path}' is empty.", new SourceLocation(path),
                "Run feedback once the host has logged traffic; check its request log is on and its sample rate above 0.");
        }
        return new PredictionLogRead(predictions, lines, invalid, firstInvalid, truncated, otherModel);

        void Line(ReadOnlySpan<byte> line, bool complete)
        {
            line = line.TrimEnd((byte)'\r');
            if (line.Trim(" \t"u8).IsEmpty)
                return;
            if (!TryParse(line, classes, out var entry))
            {
                if (!complete)
                {
                    // Being written, or cut by a copy: everything before it has been read.
                    truncated = true;
                    return;
                }
                lines++;
                if (invalid++ == 0)
                    firstInvalid = lines;
                return;
            }
            lines++;
            if (!wanted.Contains(entry.Key))
                return;
            if (!string.Equals(entry.Fingerprint, fingerprint, StringComparison.Ordinal))
            {
                otherModel++;
                return;
            }
            predictions[entry.Key] = entry.Prediction;
        }
    }

    private readonly record struct Entry(LoggedRowKey Key, string Fingerprint, LoggedPrediction Prediction);

    private static bool TryParse(ReadOnlySpan<byte> line, IReadOnlyList<string> classes, out Entry entry)
    {
        entry = default;
        try
        {
            var reader = new Utf8JsonReader(line);
            using var document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
                return false;
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("requestId", out var id) || id.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("row", out var row) || !row.TryGetInt32(out var rowNumber)
                || !root.TryGetProperty("fingerprint", out var fingerprint) || fingerprint.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("outputs", out var outputs) || outputs.ValueKind != JsonValueKind.Object)
            {
                return false;
            }
            string? label = outputs.TryGetProperty("predictedLabel", out var predicted) && predicted.ValueKind == JsonValueKind.String ? predicted.GetString() : null;
            float[] values;
            if (outputs.TryGetProperty("scores", out var scores))
            {
                values = new float[classes.Count];
                if (scores.ValueKind == JsonValueKind.Object)
                {
                    for (var i = 0; i < classes.Count; i++)
                        values[i] = scores.TryGetProperty(classes[i], out var score) ? Number(score) : float.NaN;
                }
                else if (scores.ValueKind == JsonValueKind.Array && scores.GetArrayLength() == classes.Count)
                {
                    var i = 0;
                    foreach (var score in scores.EnumerateArray())
                        values[i++] = Number(score);
                }
                else
                {
                    return false;
                }
            }
            else if (outputs.TryGetProperty("probability", out var probability))
                values = [Number(probability)];
            else if (outputs.TryGetProperty("score", out var score))
                values = [Number(score)];
            else
                values = [];
            entry = new Entry(new LoggedRowKey(id.GetString()!, rowNumber), fingerprint.GetString()!, new LoggedPrediction(label, values));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The host writes null for NaN and infinities (JSON has no number for them); they stay NaN.</summary>
    private static float Number(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetSingle(),
        JsonValueKind.String when float.TryParse(element.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var value) => value,
        _ => float.NaN,
    };
}
