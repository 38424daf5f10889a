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
    double ExportSeconds);
