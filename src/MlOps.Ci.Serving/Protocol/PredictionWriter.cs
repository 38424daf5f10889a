using System.Text.Json;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Serving.Model;

namespace MlOps.Ci.Serving.Protocol;

/// <summary>
/// The /predict answer, <c>{"model", "version", "predictions": [...]}</c>, one prediction per row in the model's own
/// terms: binary <c>{"predictedLabel": "Yes", "probability": 0.83, "score": 1.7}</c> (the label as the training data
/// spelled it), multiclass <c>{"predictedLabel": "Gold", "scores": {"Bronze": 0.1, …}}</c>, regression <c>{"score": 42.1}</c>.
/// The request log writes the same object as a row's "outputs".
/// </summary>
internal static class PredictionWriter
{
    private static readonly JsonEncodedText ModelProperty = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText VersionProperty = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText PredictionsProperty = JsonEncodedText.Encode("predictions");
    private static readonly JsonEncodedText PredictedLabelProperty = JsonEncodedText.Encode("predictedLabel");
    private static readonly JsonEncodedText ProbabilityProperty = JsonEncodedText.Encode("probability");
    private static readonly JsonEncodedText ScoreProperty = JsonEncodedText.Encode("score");
    private static readonly JsonEncodedText ScoresProperty = JsonEncodedText.Encode("scores");

    public static void WriteResponse(Utf8JsonWriter writer, ScoringBatch batch)
    {
        var model = batch.Model;
        writer.WriteStartObject();
        writer.WriteString(ModelProperty, model.Name);
        writer.WriteString(VersionProperty, model.Version);
        writer.WriteStartArray(PredictionsProperty);
        for (var row = 0; row < batch.Rows; row++)
            WritePrediction(writer, batch, row);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void WritePrediction(Utf8JsonWriter writer, ScoringBatch batch, int row)
    {
        var model = batch.Model;
        writer.WriteStartObject();
        switch (model.Task)
        {
            case ModelTask.BinaryClassification:
                WriteLabel(writer, batch, row);
                if (model.ProbabilityOutput >= 0)
                {
                    writer.WritePropertyName(ProbabilityProperty);
                    JsonValues.WriteNumber(writer, batch.Floats[model.ProbabilityOutput][row]);
                }
                if (model.ScoreOutput >= 0)
                {
                    writer.WritePropertyName(ScoreProperty);
                    JsonValues.WriteNumber(writer, batch.Floats[model.ScoreOutput][row]);
                }
                break;
            case ModelTask.MulticlassClassification:
                WriteLabel(writer, batch, row);
                if (model.ScoreOutput >= 0)
                    WriteScores(writer, batch, row);
                break;
            default:
                if (model.ScoreOutput >= 0)
                {
                    writer.WritePropertyName(ScoreProperty);
                    JsonValues.WriteNumber(writer, batch.Floats[model.ScoreOutput][row * Math.Max(1, batch.Widths[model.ScoreOutput])]);
                }
                break;
        }
        writer.WriteEndObject();
    }

    /// <summary>The predicted label as a class name; a binary model's boolean is mapped to its positive/negative class.</summary>
    public static string? Label(ScoringBatch batch, int row)
    {
        var model = batch.Model;
        var output = model.LabelOutput;
        if (output < 0)
            return null;
        return model.Outputs[output].ElementType switch
        {
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Bool => batch.Flags[output][row]
                ? model.PositiveClass ?? "true"
                : model.NegativeClass ?? "false",
            Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.String => batch.Strings[output][row],
            _ => null,
        };
    }

    private static void WriteLabel(Utf8JsonWriter writer, ScoringBatch batch, int row)
    {
        if (Label(batch, row) is { } label)
            writer.WriteString(PredictedLabelProperty, label);
    }

    private static void WriteScores(Utf8JsonWriter writer, ScoringBatch batch, int row)
    {
        var model = batch.Model;
        var output = model.ScoreOutput;
        var width = batch.Widths[output];
        var scores = batch.Floats[output].AsSpan(row * width, width);
        if (model.Classes.Count == width)
        {
            // The score vector follows the card's class order (both sorted ordinally in training).
            writer.WriteStartObject(ScoresProperty);
            for (var i = 0; i < width; i++)
            {
                writer.WritePropertyName(model.Classes[i]);
                JsonValues.WriteNumber(writer, scores[i]);
            }
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteStartArray(ScoresProperty);
            foreach (var score in scores)
                JsonValues.WriteNumber(writer, score);
            writer.WriteEndArray();
        }
    }
}
