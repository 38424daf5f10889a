using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Training;

/// <summary>What TrainModel did (obj/mlops/training.json): the inputs that shaped the model, for the model card.</summary>
public sealed record TrainingReport(
    string Trainer,
    ModelTask Task,
    int Seed,
    IReadOnlyDictionary<string, string> Parameters,
    long TrainingRows,
    IReadOnlyList<string> FeatureColumns,
    IReadOnlyList<string> OutputColumns,
    double TrainingSeconds,
    double ExportSeconds)
{
    /// <summary>The fingerprint of the inputs this model was trained from: the model cache's key.</summary>
    public string ModelFingerprint { get; init; } = "";

    /// <summary>Set when the model was restored from a cache instead of trained: which cache.</summary>
    public string? RestoredFrom { get; init; }
}
