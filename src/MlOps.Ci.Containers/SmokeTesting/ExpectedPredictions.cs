using System.Globalization;
using System.Text.Json;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Containers.SmokeTesting;

/// <summary>One row's prediction in the terms /predict answers in: a label, a probability, a score, or per-class scores.</summary>
internal sealed record Prediction(string? Label, double? Probability, double? Score, IReadOnlyList<double>? Scores);

/// <summary>
/// What the image must answer: the package's own ONNX model scored in this process with ONNX Runtime (Core's
/// <see cref="OnnxScorer"/>, the scorer evaluation used), over the same rows the container is sent.
/// </summary>
internal sealed class ExpectedPredictions
{
    private readonly ModelPackage _package;
    private readonly SmokeRows _rows;
    private readonly IReadOnlyList<Prediction> _predictions;

    private ExpectedPredictions(ModelPackage package, SmokeRows rows, IReadOnlyList<Prediction> predictions)
    {
        _package = package;
        _rows = rows;
        _predictions = predictions;
    }

    public static ExpectedPredictions Score(ModelPackage package, SmokeRows rows, string packagePath)
    {
        using var scorer = OnnxScorer.Load(package.Onnx, packagePath);
        var outputs = scorer.Score(rows.Columns, rows.Count);
        var signature = package.Card.Signature;
        var positive = signature.PositiveClass;
        var negative = signature.Classes?.FirstOrDefault(c => !string.Equals(c, positive, StringComparison.Ordinal));
        var label = outputs.GetValueOrDefault("PredictedLabel");
        var score = outputs.GetValueOrDefault("Score");
        var probability = outputs.GetValueOrDefault("Probability");
        var predictions = new List<Prediction>(rows.Count);
        for (var row = 0; row < rows.Count; row++)
        {
            string? name = label switch
            {
                { Booleans: { } flags } => flags[row] ? positive ?? "true" : negative ?? "false",
                { Strings: { } strings } => strings[row * label.Width],
                _ => null,
            };
            predictions.Add(package.Card.Task switch
            {
                ModelTask.BinaryClassification => new Prediction(name, Value(probability, row), Value(score, row), null),
                ModelTask.MulticlassClassification => new Prediction(name, null, null,
                    score?.Floats is { } floats ? floats.AsSpan(row * score.Width, score.Width).ToArray().Select(v => (double)v).ToList() : null),
                _ => new Prediction(null, null, Value(score, row), null),
            });
        }
        return new ExpectedPredictions(package, rows, predictions);
    }

    public IReadOnlyList<Prediction> Predictions => _predictions;

    /// <summary>
    /// Checks a /predict answer row by row and returns the largest difference seen; the first row that differs by more
    /// than <paramref name="tolerance"/> (or in its label) fails the smoke test, with the row and both answers.
    /// </summary>
    public double Compare(JsonElement response, double tolerance, string image)
    {
        if (response.ValueKind != JsonValueKind.Object || !response.TryGetProperty("predictions", out var predictions)
            || predictions.ValueKind != JsonValueKind.Array)
        {
            throw Mismatch(image, $"the answer has no \"predictions\" array: {Shorten(response.GetRawText())}");
        }
        if (predictions.GetArrayLength() != _predictions.Count)
            throw Mismatch(image, $"it sent {_predictions.Count} rows and got {predictions.GetArrayLength()} predictions back");
        var largest = 0.0;
        var row = 0;
        foreach (var served in predictions.EnumerateArray())
        {
            var expected = _predictions[row];
            if (expected.Label is not null)
            {
                var label = served.TryGetProperty("predictedLabel", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                if (!string.Equals(label, expected.Label, StringComparison.Ordinal))
                    throw RowMismatch(image, row, "predictedLabel", label is null ? "nothing" : $"'{label}'", $"'{expected.Label}'");
            }
            largest = Math.Max(largest, Check(image, row, served, "probability", expected.Probability, tolerance));
            largest = Math.Max(largest, Check(image, row, served, "score", expected.Score, tolerance));
            if (expected.Scores is { } scores)
            {
                if (!served.TryGetProperty("scores", out var servedScores))
                    throw RowMismatch(image, row, "scores", "nothing", $"{scores.Count} class scores");
                var classes = _package.Card.Signature.Classes ?? [];
                for (var k = 0; k < scores.Count; k++)
                {
                    double? actual = null;
                    if (servedScores.ValueKind == JsonValueKind.Array && k < servedScores.GetArrayLength())
                        actual = Number(servedScores[k]);
                    else if (servedScores.ValueKind == JsonValueKind.Object && k < classes.Count && servedScores.TryGetProperty(classes[k], out var element))
                        actual = Number(element);
                    var what = k < classes.Count ? $"scores[\"{classes[k]}\"]" : $"scores[{k}]";
                    largest = Math.Max(largest, Compare(image, row, what, actual, scores[k], tolerance));
                }
            }
            row++;
        }
        return largest;
    }

    private double Check(string image, int row, JsonElement served, string property, double? expected, double tolerance)
    {
        if (expected is not { } value)
            return 0;
        double? actual = served.TryGetProperty(property, out var element) ? Number(element) : null;
        return Compare(image, row, property, actual, value, tolerance);
    }

    /// <summary>Probabilities are compared absolutely; scores, which can be large, relative to their size when above 1.</summary>
    private double Compare(string image, int row, string what, double? actual, double expected, double tolerance)
    {
        if (actual is not { } served)
            throw RowMismatch(image, row, what, "nothing", Format(expected));
        if (double.IsNaN(served) && double.IsNaN(expected))
            return 0;
        var difference = Math.Abs(served - expected);
        if (!(difference <= tolerance * Math.Max(1, Math.Abs(expected))))
            throw RowMismatch(image, row, what, Format(served), $"{Format(expected)} (difference {difference.ToString("G3", CultureInfo.InvariantCulture)}, tolerance {tolerance.ToString("G3", CultureInfo.InvariantCulture)})");
        return difference;
    }

    private static double? Number(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.Null => double.NaN,
        JsonValueKind.String when double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    private MlOpsException RowMismatch(string image, int row, string what, string served, string expected) =>
        MlOpsException.Of(DiagnosticCodes.SmokeTestMismatch,
            $"Smoke test of {image} failed: for row {row} of {_rows.Source} {_rows.Describe(row)} the image answered {what} {served}, but the package's ONNX model gives {expected}.",
            _rows.Path is null ? null : new SourceLocation(_rows.Path, _rows.Lines?[row] ?? 0), Hint);

    private static MlOpsException Mismatch(string image, string what) =>
        MlOpsException.Of(DiagnosticCodes.SmokeTestMismatch, $"Smoke test of {image} failed: {what}.", null, Hint);

    private const string Hint = "The image serves another model or another build of the tool than the package holds; nothing was pushed. "
        + "Rebuild the image from this package and the same mlops version.";

    /// <summary>Both answers were floats: nine significant digits show every bit of one, and print both alike.</summary>
    private static string Format(double value) => value.ToString("G9", CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    private static double? Value(ScoredOutput? output, int row) => output?.Floats is { } floats ? floats[row * Math.Max(1, output.Width)] : null;
}
