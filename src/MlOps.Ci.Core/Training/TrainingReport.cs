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

    /// <summary>How each input column was featurized inside the graph (declared or default); null for external trainers.</summary>
    public IReadOnlyList<Features.FeatureDeclaration>? Features { get; init; }

    /// <summary>Set when the model was restored from a cache instead of trained: which cache.</summary>
    public string? RestoredFrom { get; init; }

    /// <summary>Set when the parameters came from a hyperparameter sweep: every trial and the winner that trained this model.</summary>
    public Sweeps.SweepReport? Sweep { get; init; }

    /// <summary>Set when an external command trained the model (<c>Trainer=Command</c>): what it ran.</summary>
    public External.ExternalCommandInfo? Command { get; init; }
}
