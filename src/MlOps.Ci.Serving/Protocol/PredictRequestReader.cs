using System.Buffers;
using System.Text.Json;
using MlOps.Ci.Serving.Model;

namespace MlOps.Ci.Serving.Protocol;

/// <summary>
/// Reads a /predict body into a batch: one row as an object, an array of rows, or <c>{"rows": [...]}</c>; values by
/// column name. A column absent from a row is an error (a client that forgot a field should hear so); an explicit null
/// is a missing value, as an empty CSV cell is in training.
/// </summary>
internal static class PredictRequestReader
{
    private const string Shapes = "a JSON object (one row), an array of rows, or {\"rows\": [...]}";

    public static void Read(ReadOnlySequence<byte> body, ScoringBatch batch, int maxRows)
    {
        var reader = new Utf8JsonReader(body, JsonValues.ReaderOptions);
        try
        {
            if (!reader.Read())
                throw RequestRejected.BadRequest($"The request body is empty; send {Shapes}.");
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    ReadRows(ref reader, batch, maxRows);
                    break;
                case JsonTokenType.StartObject when IsRowsWrapper(reader, batch.Model):
                    reader.Read();
                    if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                        throw RequestRejected.BadRequest($"\"rows\" must be an array of row objects, got {JsonValues.Describe(ref reader)}.");
                    ReadRows(ref reader, batch, maxRows);
                    if (!reader.Read() || reader.TokenType != JsonTokenType.EndObject)
                        throw RequestRejected.BadRequest("A {\"rows\": [...]} request takes no other properties.");
                    break;
                case JsonTokenType.StartObject:
                    batch.EnsureRows(1);
                    ReadRow(ref reader, batch, 0, batched: false);
                    batch.Rows = 1;
                    break;
                default:
                    throw RequestRejected.BadRequest($"The body must be {Shapes}, got {JsonValues.Describe(ref reader)}.");
            }
            // Anything but whitespace after the value is a syntax error, which Read reports.
            reader.Read();
        }
        catch (JsonException exception)
        {
            throw RequestRejected.InvalidJson(exception);
        }
    }

    /// <summary>An object whose first property is "rows" holding an array, unless the model really has a column called rows.</summary>
    private static bool IsRowsWrapper(Utf8JsonReader probe, ServedModel model)
    {
        if (!probe.Read() || probe.TokenType != JsonTokenType.PropertyName || !probe.ValueTextEquals("rows"u8))
            return false;
        foreach (var input in model.Inputs)
        {
            if (input.Name == "rows")
                return false;
        }
        return true;
    }

    private static void ReadRows(ref Utf8JsonReader reader, ScoringBatch batch, int maxRows)
    {
        var rows = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
                throw RequestRejected.BadRequest($"Row {rows} must be an object of column values, got {JsonValues.Describe(ref reader)}.");
            if (rows == maxRows)
                throw RequestRejected.TooManyRows(maxRows);
            batch.EnsureRows(rows + 1);
            ReadRow(ref reader, batch, rows, batched: true);
            rows++;
        }
        if (rows == 0)
            throw RequestRejected.BadRequest("The request has no rows.");
        batch.Rows = rows;
    }

    private static void ReadRow(ref Utf8JsonReader reader, ScoringBatch batch, int row, bool batched)
    {
        var inputs = batch.Model.Inputs;
        var seen = batch.Seen;
        Array.Clear(seen);
        var next = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var column = Find(ref reader, inputs, next)
                ?? throw RequestRejected.BadRequest($"{Where(row, batched)}Unknown column {JsonValues.Describe(ref reader)}; the model takes {Names(inputs)}.");
            if (seen[column.Index])
                throw RequestRejected.BadRequest($"{Where(row, batched)}Column '{column.Name}' is given twice.");
            seen[column.Index] = true;
            next = column.Index + 1;
            reader.Read();
            if (JsonValues.Store(ref reader, column, batch, row) is { } problem)
                throw RequestRejected.BadRequest(Where(row, batched) + problem);
        }
        for (var i = 0; i < seen.Length; i++)
        {
            if (!seen[i])
                throw RequestRejected.BadRequest($"{Where(row, batched)}Column '{inputs[i].Name}' is missing; send null for a missing value.");
        }
    }

    /// <summary>Messages about a batch name the row (0-based, as in the array); a single row needs no name.</summary>
    private static string Where(int row, bool batched) => batched ? $"Row {row}: " : "";

    /// <summary>Clients usually send the columns in the model's order, so the expected one is tried first.</summary>
    private static InputColumn? Find(ref Utf8JsonReader reader, IReadOnlyList<InputColumn> inputs, int expected)
    {
        if (expected < inputs.Count && reader.ValueTextEquals(inputs[expected].Utf8Name))
            return inputs[expected];
        for (var i = 0; i < inputs.Count; i++)
        {
            if (reader.ValueTextEquals(inputs[i].Utf8Name))
                return inputs[i];
        }
        return null;
    }

    public static string Names(IReadOnlyList<InputColumn> inputs) => string.Join(", ", inputs.Select(i => i.Name));
}
