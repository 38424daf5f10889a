using System.Text.Json;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Ci.Serving.Model;

namespace MlOps.Ci.Serving.Protocol;

/// <summary>
/// The Open Inference Protocol answer: <c>{"model_name", "model_version", "id", "outputs": [{"name", "datatype",
/// "shape", "data"}]}</c>, the graph's output tensors as they are (a binary PredictedLabel is BOOL, true meaning the
/// positive class in the model metadata), named by column (Probability, not Probability.output).
/// </summary>
internal static class InferResponseWriter
{
    private static readonly JsonEncodedText ModelNameProperty = JsonEncodedText.Encode("model_name");
    private static readonly JsonEncodedText ModelVersionProperty = JsonEncodedText.Encode("model_version");
    private static readonly JsonEncodedText IdProperty = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText OutputsProperty = JsonEncodedText.Encode("outputs");
    private static readonly JsonEncodedText NameProperty = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText DatatypeProperty = JsonEncodedText.Encode("datatype");
    private static readonly JsonEncodedText ShapeProperty = JsonEncodedText.Encode("shape");
    private static readonly JsonEncodedText DataProperty = JsonEncodedText.Encode("data");

    public static void Write(Utf8JsonWriter writer, ScoringBatch batch, InferRequest request, string requestId)
    {
        var model = batch.Model;
        writer.WriteStartObject();
        writer.WriteString(ModelNameProperty, model.Name);
        writer.WriteString(ModelVersionProperty, model.Version);
        writer.WriteString(IdProperty, request.Id ?? requestId);
        writer.WriteStartArray(OutputsProperty);
        foreach (var output in model.Outputs)
        {
            if ((request.Outputs & (1UL << output.Index)) != 0)
                WriteOutput(writer, batch, output);
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteOutput(Utf8JsonWriter writer, ScoringBatch batch, OutputColumn output)
    {
        var rows = batch.Rows;
        var width = batch.Widths[output.Index];
        var length = rows * width;
        writer.WriteStartObject();
        writer.WriteString(NameProperty, output.JsonName);
        writer.WriteString(DatatypeProperty, output.Datatype);
        writer.WriteStartArray(ShapeProperty);
        writer.WriteNumberValue(rows);
        writer.WriteNumberValue(width);
        writer.WriteEndArray();
        writer.WriteStartArray(DataProperty);
        switch (output.ElementType)
        {
            case TensorElementType.Float:
                foreach (var value in batch.Floats[output.Index].AsSpan(0, length))
                    JsonValues.WriteNumber(writer, value);
                break;
            case TensorElementType.Bool:
                foreach (var value in batch.Flags[output.Index].AsSpan(0, length))
                    writer.WriteBooleanValue(value);
                break;
            case TensorElementType.String:
                foreach (var value in batch.Strings[output.Index].AsSpan(0, length))
                    writer.WriteStringValue(value);
                break;
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
