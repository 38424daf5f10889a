using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Evaluation;

/// <summary>
/// The metrics of each task, computed from the ONNX model's outputs. Names follow ML.NET's evaluators where they have
/// one; <see cref="Aliases"/> accepts the other common spellings in gates.
/// </summary>
public static class Metrics
{
    public static IReadOnlyDictionary<ModelTask, IReadOnlyList<string>> Names { get; } = new Dictionary<ModelTask, IReadOnlyList<string>>
    {
        [ModelTask.BinaryClassification] = ["AUC", "Accuracy", "F1Score", "Precision", "Recall", "LogLoss"],
        [ModelTask.MulticlassClassification] = ["MicroAccuracy", "MacroAccuracy", "LogLoss"],
        [ModelTask.Regression] = ["RMSE", "MAE", "RSquared"],
    };

    /// <summary>
    /// The one metric that stands for a task's quality where a single number is needed (feature importance measures
    /// its drop): AUC, micro-accuracy, R². Each is higher-is-better and defined from the outputs every model gives.
    /// </summary>
    public static string Primary(ModelTask task) => task switch
    {
        ModelTask.BinaryClassification => "AUC",
        ModelTask.MulticlassClassification => "MicroAccuracy",
        _ => "RSquared",
    };

    /// <summary>Whether a larger value is a better model (false for the losses and errors: LogLoss, RMSE, MAE).</summary>
    public static bool HigherIsBetter(string metric) => metric is not ("LogLoss" or "RMSE" or "MAE");

    public static IReadOnlyDictionary<string, string> Aliases { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["AreaUnderRocCurve"] = "AUC",
        ["ROC-AUC"] = "AUC",
        ["F1"] = "F1Score",
        ["PositivePrecision"] = "Precision",
        ["PositiveRecall"] = "Recall",
        ["RootMeanSquaredError"] = "RMSE",
        ["MeanAbsoluteError"] = "MAE",
        ["R2"] = "RSquared",
        ["R²"] = "RSquared",
    };

    /// <summary>The canonical name of a metric for a task, or null when the task has no such metric.</summary>
    public static string? Canonical(ModelTask task, string name)
    {
        var resolved = Aliases.TryGetValue(name, out var alias) ? alias : name;
        return Names[task].FirstOrDefault(n => string.Equals(n, resolved, StringComparison.OrdinalIgnoreCase));
    }

    private const double Epsilon = 1e-15;

    public static IReadOnlyDictionary<string, double> Binary(IReadOnlyList<bool> labels, IReadOnlyList<float> probabilities, IReadOnlyList<bool> predicted)
    {
        long tp = 0, fp = 0, tn = 0, fn = 0;
        double logLoss = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            if (labels[i] && predicted[i])
                tp++;
            else if (predicted[i])
                fp++;
            else if (labels[i])
                fn++;
            else
                tn++;
            var p = Math.Clamp(probabilities[i], Epsilon, 1 - Epsilon);
            logLoss -= labels[i] ? Math.Log(p) : Math.Log(1 - p);
        }
        var precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        return new Dictionary<string, double>
        {
            ["AUC"] = AreaUnderRocCurve(labels, probabilities),
            ["Accuracy"] = labels.Count == 0 ? 0 : (double)(tp + tn) / labels.Count,
            ["F1Score"] = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall),
            ["Precision"] = precision,
            ["Recall"] = recall,
            ["LogLoss"] = labels.Count == 0 ? 0 : logLoss / labels.Count,
        };
    }

    /// <summary>AUC as the Mann–Whitney statistic: the chance a random positive scores above a random negative, ties counting half.</summary>
    public static double AreaUnderRocCurve(IReadOnlyList<bool> labels, IReadOnlyList<float> scores)
    {
        var order = Enumerable.Range(0, labels.Count).OrderBy(i => scores[i]).ToArray();
        double rankSumPositive = 0;
        long positives = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
                end++;
            var averageRank = (start + end) / 2.0 + 1;
            for (var k = start; k <= end; k++)
            {
                if (labels[order[k]])
                {
                    rankSumPositive += averageRank;
                    positives++;
                }
            }
            start = end + 1;
        }
        var negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0)
            return double.NaN;
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>The index of <paramref name="row"/>'s highest score among its <paramref name="width"/> (row-major); the first wins ties.</summary>
    internal static int ArgMax(IReadOnlyList<float> scores, int row, int width)
    {
        var best = 0;
        for (var k = 1; k < width; k++)
        {
            if (scores[row * width + k] > scores[row * width + best])
                best = k;
        }
        return best;
    }

    /// <param name="labels">The true class index of each row.</param>
    /// <param name="scores">Row-major class probabilities, <paramref name="classCount"/> per row.</param>
    /// <param name="classCount">How many classes the model knows.</param>
    public static IReadOnlyDictionary<string, double> Multiclass(IReadOnlyList<int> labels, IReadOnlyList<float> scores, int classCount)
    {
        var correctPerClass = new long[classCount];
        var totalPerClass = new long[classCount];
        long correct = 0;
        double logLoss = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            var best = ArgMax(scores, i, classCount);
            totalPerClass[labels[i]]++;
            if (best == labels[i])
            {
                correct++;
                correctPerClass[labels[i]]++;
            }
            logLoss -= Math.Log(Math.Clamp(scores[i * classCount + labels[i]], Epsilon, 1));
        }
        var seen = Enumerable.Range(0, classCount).Where(k => totalPerClass[k] > 0).ToList();
        return new Dictionary<string, double>
        {
            ["MicroAccuracy"] = labels.Count == 0 ? 0 : (double)correct / labels.Count,
            ["MacroAccuracy"] = seen.Count == 0 ? 0 : seen.Average(k => (double)correctPerClass[k] / totalPerClass[k]),
            ["LogLoss"] = labels.Count == 0 ? 0 : logLoss / labels.Count,
        };
    }

    public static IReadOnlyDictionary<string, double> Regression(IReadOnlyList<float> labels, IReadOnlyList<float> predictions)
    {
        double squared = 0, absolute = 0, mean = labels.Count == 0 ? 0 : labels.Average(v => (double)v), total = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            var error = (double)labels[i] - predictions[i];
            squared += error * error;
            absolute += Math.Abs(error);
            total += (labels[i] - mean) * (labels[i] - mean);
        }
        var n = Math.Max(labels.Count, 1);
        return new Dictionary<string, double>
        {
            ["RMSE"] = Math.Sqrt(squared / n),
            ["MAE"] = absolute / n,
            ["RSquared"] = total == 0 ? 0 : 1 - squared / total,
        };
    }
}
