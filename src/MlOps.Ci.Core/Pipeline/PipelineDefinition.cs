namespace MlOps.Ci.Pipeline;

public enum ModelTask
{
    BinaryClassification,
    MulticlassClassification,
    Regression,
}

/// <summary>
/// A bound on one evaluation metric: absolute (<see cref="Minimum"/>, <see cref="Maximum"/>, checked by EvaluateModel)
/// and/or against a baseline model (<see cref="MaxDecrease"/>, <see cref="MaxIncrease"/>: the largest allowed change in
/// the metric's own units, checked by <c>mlops report</c>, which knows the baseline). At least one is set.
/// </summary>
public sealed record QualityGate(string Metric, double? Minimum = null, double? Maximum = null, double? MaxDecrease = null, double? MaxIncrease = null);

/// <summary>
/// Everything that defines one model build: what the MSBuild SDK writes to <c>obj/mlops/pipeline.json</c> from the
/// project's properties and items, and what every step reads. Paths are absolute.
/// </summary>
public sealed record PipelineDefinition
{
    public required string ModelName { get; init; }
    public string ModelVersion { get; init; } = "1.0.0";
    public ModelTask ModelTask { get; init; } = ModelTask.BinaryClassification;
    public required string LabelColumn { get; init; }
    public string Trainer { get; init; } = "FastTree";
    public int Seed { get; init; } = 42;

    /// <summary>For binary classification: the label value that counts as positive when the labels are not true/false, yes/no or 1/0.</summary>
    public string? PositiveClass { get; init; }

    public IReadOnlyList<string> TrainingData { get; init; } = [];
    public IReadOnlyList<string> EvaluationData { get; init; } = [];

    /// <summary>Trainer options by name (e.g. NumberOfTrees → 200), applied to the ML.NET trainer's Options.</summary>
    public IReadOnlyDictionary<string, string> Hyperparameters { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<QualityGate> QualityGates { get; init; } = [];

    /// <summary>When live data counts as drifted (<c>DriftThreshold</c> items), stored in the model card for <c>mlops drift</c>.</summary>
    public IReadOnlyList<Drift.DriftThreshold> DriftThresholds { get; init; } = [];

    /// <summary>An optional declared schema (JSON) whose columns override what is inferred from the data.</summary>
    public string? SchemaFile { get; init; }

    /// <summary>Columns that are neither feature nor label (identifiers, timestamps, leakage).</summary>
    public IReadOnlyList<string> IgnoreColumns { get; init; } = [];

    /// <summary>Columns to treat as categorical even when every value looks like a number (codes, zip codes).</summary>
    public IReadOnlyList<string> CategoricalColumns { get; init; } = [];

    /// <summary>The project file that declared this model: where definition-level diagnostics point.</summary>
    public string ProjectFile { get; init; } = "";

    /// <summary>Folder for the intermediate outputs of each step (obj/mlops).</summary>
    public required string IntermediateDirectory { get; init; }

    /// <summary>Where the model package is written.</summary>
    public required string PackagePath { get; init; }
}
