using MlOps.Ci.Data;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Packaging;

/// <summary>
/// The model card: everything a reviewer, the release side or an auditor needs to know about a packaged model,
/// stored as model-card.json inside the package.
/// </summary>
public sealed record ModelCard(
    int SchemaVersion,
    string Name,
    string Version,
    ModelTask Task,
    DateTimeOffset CreatedAt,
    ModelFingerprints Fingerprints,
    SourceInfo Source,
    TrainerInfo Trainer,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<GateVerdict> Gates,
    ModelSignature Signature,
    EnvironmentInfo Environment,
    StepTimings Timings)
{
    public const int CurrentSchemaVersion = 1;

    /// <summary>The project's <c>DriftThreshold</c> items, for <c>mlops drift</c>; null when none were declared (the defaults apply).</summary>
    public IReadOnlyList<Drift.DriftThreshold>? DriftThresholds { get; init; }

    /// <summary>How the graph featurizes each raw input column (the project's Feature items, or the defaults); null in older packages and for external trainers.</summary>
    public IReadOnlyList<Training.Features.FeatureDeclaration>? Featurization { get; init; }

    /// <summary>Permutation feature importance from EvaluateModel; null in packages made before it was recorded. Not part of any fingerprint.</summary>
    public PermutationImportance? FeatureImportance { get; init; }

    /// <summary>Where EvaluateModel scored the model (execution provider, ONNX Runtime build and version); null in packages made before it was recorded. Not part of any fingerprint.</summary>
    public Runtime.ScoringRuntime? EvaluationRuntime { get; init; }

    /// <summary>The hyperparameter sweep that chose <see cref="Trainer"/>'s parameters: every trial's parameters and metrics, and the winner; null without a sweep.</summary>
    public Training.Sweeps.SweepReport? Sweep { get; init; }
}

/// <summary>
/// <see cref="Model"/> identifies everything that determines the model; <see cref="Data"/> and <see cref="Definition"/>
/// are its parts, so a change can be traced to the input that caused it.
/// </summary>
public sealed record ModelFingerprints(string Model, string Definition, IReadOnlyList<DataFingerprint> Data);

/// <summary>A data file by its path relative to the project (forward slashes), so cards compare across machines.</summary>
public sealed record DataFingerprint(string Path, DataRole Role, long Rows, string Fingerprint);

public sealed record TrainerInfo(string Name, IReadOnlyDictionary<string, string> Parameters, int Seed)
{
    /// <summary>For <c>Trainer=Command</c>: the command line (with its placeholders) and its trainer inputs' fingerprints; null for ML.NET trainers.</summary>
    public Training.External.ExternalCommandInfo? Command { get; init; }
}

/// <summary>One input or output of the ONNX graph; <see cref="Kind"/> says how a raw column value maps to it.</summary>
public sealed record TensorSpec(string Name, string ElementType, IReadOnlyList<long> Shape, ColumnKind? Kind = null);

public sealed record ModelSignature(
    IReadOnlyList<TensorSpec> Inputs,
    IReadOnlyList<TensorSpec> Outputs,
    string LabelColumn,
    IReadOnlyList<string>? Classes,
    string? PositiveClass);

public sealed record StepTimings(double TrainingSeconds, double ExportSeconds, double ScoringSeconds);
