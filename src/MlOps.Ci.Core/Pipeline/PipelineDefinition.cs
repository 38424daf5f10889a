using MlOps.Ci.Training.Features;

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

    // Declared feature engineering (<Feature> items).
    /// <summary>
    /// The project's <c>Feature</c> items: per column, the transforms that featurize it inside the ONNX graph. Columns
    /// without one get the defaults (see <see cref="FeatureDeclaration"/>).
    /// </summary>
    public IReadOnlyList<FeatureDeclaration> Features { get; init; } = [];

    // Hyperparameter sweeps (<Sweep> items and the Sweep* properties).

    /// <summary>
    /// <c>&lt;Sweep&gt;</c> items: hyperparameters searched instead of fixed. Values only ⇒ a grid (every combination);
    /// any range ⇒ random search of <see cref="SweepTrials"/> trials. Empty: no sweep, one model as declared.
    /// </summary>
    public IReadOnlyList<Training.Sweeps.SweepParameter> Sweeps { get; init; } = [];

    /// <summary><c>SweepTrials</c>: the random-search budget (default 10), or a random subset of a larger grid.</summary>
    public int? SweepTrials { get; init; }

    /// <summary><c>SweepFolds</c>: k of the k-fold cross-validation on the training data (default 3).</summary>
    public int? SweepFolds { get; init; }

    /// <summary><c>SweepValidationFraction</c>: instead of folds, one seeded holdout split of the training data.</summary>
    public double? SweepValidationFraction { get; init; }

    /// <summary><c>SweepMetric</c>: the metric that picks the winning trial (default: the task's primary metric).</summary>
    public string? SweepMetric { get; init; }

    // External trainers (Trainer=Command: TrainerCommand, <TrainerInput> items, TrainerTimeout).

    /// <summary>
    /// With <c>Trainer=Command</c>: the command line that trains the model and writes ONNX to <c>{OnnxPath}</c>, with
    /// placeholders (<c>{TrainingData}</c>, <c>{OnnxPath}</c>, …: see the README). Part of the definition fingerprint.
    /// </summary>
    public string? TrainerCommand { get; init; }

    /// <summary>Files the command reads besides the data (<c>TrainerInput</c> items: its script, its config); absolute paths, fingerprinted like data.</summary>
    public IReadOnlyList<string> TrainerInputs { get; init; } = [];

    /// <summary>Seconds the command may run before its process tree is killed (<c>TrainerTimeout</c>).</summary>
    public int TrainerTimeoutSeconds { get; init; } = DefaultTrainerTimeoutSeconds;

    public const int DefaultTrainerTimeoutSeconds = 3600;

    // ONNX Runtime flavour and execution provider (OrtFlavor, ExecutionProvider).
    // Neither is part of any fingerprint: they decide where the model is scored, not which model is trained.

    /// <summary>Which ONNX Runtime build the engine loads (<c>OrtFlavor</c>): Cpu, the one it ships, or Gpu, restored by the SDK.</summary>
    public Runtime.OrtFlavor OrtFlavor { get; init; } = Runtime.OrtFlavor.Cpu;

    /// <summary>Where EvaluateModel scores the model (<c>ExecutionProvider</c>): Cpu, Cuda (falls back to CPU with a warning), Auto or CudaRequired.</summary>
    public Runtime.ExecutionProvider ExecutionProvider { get; init; } = Runtime.ExecutionProvider.Cpu;

    /// <summary>The project file that declared this model: where definition-level diagnostics point.</summary>
    public string ProjectFile { get; init; } = "";

    /// <summary>Folder for the intermediate outputs of each step (obj/mlops).</summary>
    public required string IntermediateDirectory { get; init; }

    /// <summary>Where the model package is written.</summary>
    public required string PackagePath { get; init; }
}
