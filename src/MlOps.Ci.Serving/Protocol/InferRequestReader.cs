using System.Buffers;
using System.Text.Json;
using MlOps.Ci.Data;
using MlOps.Ci.Serving.Model;

namespace MlOps.Ci.Serving.Protocol;

/// <summary>What an Open Inference Protocol request asks for besides its inputs.</summary>
/// <param name="Id">The request's "id", echoed in the response.</param>
/// <param name="Outputs">Bit i set: return output i (all when the request names none).</param>
internal readonly record struct InferRequest(string? Id, ulong Outputs);

/// <summary>
/// Reads an Open Inference Protocol v2 inference request (<c>{id?, parameters?, inputs: [{name, shape, datatype, data}],
/// outputs?}</c>) into a batch: one tensor of shape [N] or [N, 1] per model input, data flat or nested, row-major.
/// A float input takes FP32 (or any numeric datatype); a boolean column also takes BOOL; a categorical one takes BYTES
/// as strings. Every model input must be given, with the same N.
/// </summary>
internal static class InferRequestReader
{
    public static InferRequest Read(ReadOnlySequence<byte> body, ScoringBatch batch, int maxRows)
    {
        var reader = new Utf8JsonReader(body, JsonValues.ReaderOptions);
        var model = batch.Model;
        string? id = null;
        ulong outputs = 0;
        var sawInputs = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw RequestRejected.BadRequest("The body must be an inference request object: {\"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}, ...]}.");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("inputs"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.StartArray)
                        throw RequestRejected.BadRequest($"\"inputs\" must be an array of tensors, got {JsonValues.Describe(ref reader)}.");
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        ReadInput(ref reader, batch, maxRows);
                    sawInputs = true;
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                        throw RequestRejected.BadRequest($"\"id\" must be a string, got {JsonValues.Describe(ref reader)}.");
                    id = reader.GetString();
                }
                else if (reader.ValueTextEquals("outputs"u8))
                {
                    reader.Read();
                    outputs = ReadOutputs(ref reader, model);
                }
                else
                {
                    // "parameters" and anything a newer client adds: no parameter changes how this host scores.
                    reader.Read();
                    reader.Skip();
                }
            }
            reader.Read();
        }
        catch (JsonException exception)
        {
            throw RequestRejected.InvalidJson(exception);
        }

        if (!sawInputs)
            throw RequestRejected.BadRequest($"The request has no \"inputs\"; the model takes {PredictRequestReader.Names(model.Inputs)}.");
        for (var i = 0; i < batch.Seen.Length; i++)
        {
            if (!batch.Seen[i])
                throw RequestRejected.BadRequest($"Input '{model.Inputs[i].Name}' is missing; the model takes {PredictRequestReader.Names(model.Inputs)}.");
        }
        return new InferRequest(id, outputs == 0 ? ulong.MaxValue : outputs);
    }

    private static void ReadInput(ref Utf8JsonReader reader, ScoringBatch batch, int maxRows)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw RequestRejected.BadRequest($"Each input must be an object {{\"name\", \"shape\", \"datatype\", \"data\"}}, got {JsonValues.Describe(ref reader)}.");
        var model = batch.Model;
        InputColumn? column = null;
        string? unknownName = null;
        string? datatype = null;
        Span<long> shape = stackalloc long[4];
        var rank = -1;
        var data = default(Utf8JsonReader);
        var hasData = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                    throw RequestRejected.BadRequest($"An input's \"name\" must be a string, got {JsonValues.Describe(ref reader)}.");
                column = Find(ref reader, model.Inputs);
                unknownName = column is null ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("datatype"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                    throw RequestRejected.BadRequest($"An input's \"datatype\" must be a string, got {JsonValues.Describe(ref reader)}.");
                datatype = Datatype(ref reader);
            }
            else if (reader.ValueTextEquals("shape"u8))
            {
                reader.Read();
                rank = ReadShape(ref reader, shape);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                // The data may come before the name and datatype that say how to read it: keep the reader here, read it later.
                data = reader;
                hasData = true;
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (column is null)
        {
            throw RequestRejected.BadRequest(unknownName is null
                ? "An input has no \"name\"."
                : $"Input '{unknownName}' is not an input of the model; it takes {PredictRequestReader.Names(model.Inputs)}.");
        }
        var name = column.Name;
        if (batch.Seen[column.Index])
            throw RequestRejected.BadRequest($"Input '{name}' is given twice.");
        batch.Seen[column.Index] = true;
        if (datatype is null)
            throw RequestRejected.BadRequest($"Input '{name}' has no \"datatype\"; it takes {Accepted(column)}.");
        if (!Accepts(column, datatype))
            throw RequestRejected.BadRequest($"Input '{name}' has datatype {datatype}, but the model takes {Accepted(column)} for it.");
        if (rank < 0)
            throw RequestRejected.BadRequest($"Input '{name}' has no \"shape\"; send [N] or [N, 1] for N rows.");
        if (rank is not (1 or 2) || (rank == 2 && shape[1] != 1))
            throw RequestRejected.BadRequest($"Input '{name}' has shape {Format(shape, rank)}, but the model takes one value per row: [N] or [N, 1].");
        var rows = shape[0];
        if (rows > maxRows)
            throw RequestRejected.TooManyRows(maxRows);
        if (rows == 0)
            throw RequestRejected.BadRequest($"Input '{name}' has shape {Format(shape, rank)}: no rows.");
        if (batch.Rows == 0)
        {
            batch.Rows = (int)rows;
            batch.EnsureRows(batch.Rows);
        }
        else if (rows != batch.Rows)
        {
            throw RequestRejected.BadRequest($"Input '{name}' has {rows} rows but an earlier input has {batch.Rows}; every input must have the same batch size.");
        }
        if (!hasData)
            throw RequestRejected.BadRequest($"Input '{name}' has no \"data\".");

        var count = 0;
        ReadData(ref data, column, datatype, batch, ref count, depth: 0);
        if (count != rows)
            throw RequestRejected.BadRequest($"Input '{name}' has shape {Format(shape, rank)} ({rows} values) but its data holds {count}.");
    }

    /// <summary>Tensor data, flat or nested, in row-major order; counts past the batch to report the real length.</summary>
    private static void ReadData(ref Utf8JsonReader reader, InputColumn column, string datatype, ScoringBatch batch, ref int count, int depth)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            if (depth == 0)
                throw RequestRejected.BadRequest($"Input '{column.Name}': \"data\" must be an array, got {JsonValues.Describe(ref reader)}.");
            Element(ref reader, column, datatype, batch, count++);
            return;
        }
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.StartArray)
                ReadData(ref reader, column, datatype, batch, ref count, depth + 1);
            else
                Element(ref reader, column, datatype, batch, count++);
        }
    }

    private static void Element(ref Utf8JsonReader reader, InputColumn column, string datatype, ScoringBatch batch, int index)
    {
        if (index >= batch.Rows)
            return;
        var allowed = datatype switch
        {
            TensorTypes.Bytes => reader.TokenType is JsonTokenType.String or JsonTokenType.Null,
            TensorTypes.Bool => reader.TokenType is JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null,
            _ => reader.TokenType is JsonTokenType.Number or JsonTokenType.Null,
        };
        var problem = allowed ? JsonValues.Store(ref reader, column, batch, index) : JsonValues.Expected(ref reader, column);
        if (problem is not null)
            throw RequestRejected.BadRequest($"Input '{column.Name}' ({datatype}), element {index}: {problem}.");
    }

    private static int ReadShape(ref Utf8JsonReader reader, scoped Span<long> shape)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw RequestRejected.BadRequest($"An input's \"shape\" must be an array of sizes, got {JsonValues.Describe(ref reader)}.");
        var rank = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var size) || size < 0)
                throw RequestRejected.BadRequest($"An input's \"shape\" must hold non-negative whole numbers, got {JsonValues.Describe(ref reader)}.");
            if (rank < shape.Length)
                shape[rank] = size;
            rank++;
        }
        return rank;
    }

    private static ulong ReadOutputs(ref Utf8JsonReader reader, ServedModel model)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw RequestRejected.BadRequest($"\"outputs\" must be an array of {{\"name\"}} objects, got {JsonValues.Describe(ref reader)}.");
        ulong selected = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
                throw RequestRejected.BadRequest($"Each requested output must be an object {{\"name\"}}, got {JsonValues.Describe(ref reader)}.");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isName = reader.ValueTextEquals("name"u8);
                reader.Read();
                if (!isName)
                {
                    reader.Skip();
                    continue;
                }
                var name = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? "" : JsonValues.Describe(ref reader);
                var index = Array.FindIndex(model.Outputs, o => o.Name == name || o.GraphName == name);
                if (index < 0)
                {
                    throw RequestRejected.BadRequest($"Output '{name}' is not an output of the model; it has {string.Join(", ", model.Outputs.Select(o => o.Name))}.");
                }
                selected |= 1UL << index;
            }
        }
        return selected;
    }

    private static InputColumn? Find(ref Utf8JsonReader reader, IReadOnlyList<InputColumn> inputs)
    {
        for (var i = 0; i < inputs.Count; i++)
        {
            if (reader.ValueTextEquals(inputs[i].Utf8Name))
                return inputs[i];
        }
        return null;
    }

    /// <summary>The datatype as one of the protocol's constant strings (no allocation for the ones this host takes).</summary>
    private static string Datatype(ref Utf8JsonReader reader)
    {
        foreach (var known in KnownDatatypes)
        {
            if (reader.ValueTextEquals(known))
                return known;
        }
        return reader.GetString() ?? "";
    }

    private static readonly string[] KnownDatatypes =
        [TensorTypes.Fp32, TensorTypes.Bytes, TensorTypes.Bool, "FP64", "FP16", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64"];

    private static bool Accepts(InputColumn column, string datatype) => column.Kind switch
    {
        ColumnKind.Categorical => datatype == TensorTypes.Bytes,
        ColumnKind.Boolean => datatype == TensorTypes.Bool || TensorTypes.IsNumeric(datatype),
        _ => TensorTypes.IsNumeric(datatype),
    };

    private static string Accepted(InputColumn column) => column.Kind switch
    {
        ColumnKind.Categorical => "BYTES (strings)",
        ColumnKind.Boolean => "BOOL or FP32 (0/1)",
        _ => "FP32 (or another numeric datatype)",
    };

    private static string Format(ReadOnlySpan<long> shape, int rank) =>
        "[" + string.Join(", ", shape[..Math.Min(rank, shape.Length)].ToArray()) + (rank > shape.Length ? ", …" : "") + "]";
}
