using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Versioning;

/// <summary>One data input: where it is declared (a path relative to the project, or a URL) and what its content is.</summary>
public sealed record DataInput(string Location, DataRole Role, long Size, string Fingerprint);

/// <summary>The settings that shape the model, as the lock file records them.</summary>
public sealed record TrainerInputs(string Name, int Seed, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>An external trainer's <c>TrainerInput</c> files (relative path → fingerprint); null when there are none.</summary>
    public IReadOnlyDictionary<string, string>? Files { get; init; }
}

/// <summary>
/// Every input of a model build, fingerprinted. <see cref="Model"/> combines those that determine the trained model —
/// the model settings, the training data and the environment — so same fingerprint ⇒ same model, and the model cache
/// is keyed by it. Evaluation data is recorded (a change re-evaluates) but does not change the model.
/// </summary>
public sealed record InputFingerprints(
    string Model,
    string Definition,
    TrainerInputs Trainer,
    IReadOnlyList<DataInput> Data,
    IReadOnlyDictionary<string, string> Environment)
{
    public static InputFingerprints Compute(PipelineDefinition definition, IReadOnlyList<DataSource> sources, FileHashCache hashes, EnvironmentInfo environment)
    {
        var files = hashes.TryFingerprintAll(sources.Select(s => s.LocalPath).ToList());
        var data = sources.Select((s, i) => files[i] is { } file
            ? new DataInput(s.Location, s.Role, file.Size, file.Hash)
            : throw MlOpsException.Of(DiagnosticCodes.DataFileNotFound, $"Data file '{s.LocalPath}' does not exist.", new SourceLocation(s.LocalPath),
                "Check the Include of the TrainingData/EvaluationData item, relative to the project folder.")).ToList();
        var definitionFingerprint = OfDefinition(definition, definition.SchemaFile is { } schema && File.Exists(schema) ? hashes.Fingerprint(schema) : null);
        var environmentParts = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["dotnet"] = environment.DotnetRuntime,
            ["mlNet"] = environment.MlNetVersion,
            ["onnxRuntime"] = environment.OnnxRuntimeVersion,
            ["os"] = environment.OsPlatform,
            ["architecture"] = environment.Architecture,
        };
        var lines = new List<string> { $"definition={definitionFingerprint}" };
        lines.AddRange(data.Where(d => d.Role == DataRole.Training).Select(d => $"training={d.Fingerprint}"));
        // An external trainer's script is as much the model's source as its data: editing it must retrain.
        var trainerFiles = Training.External.TrainerInputFiles.Fingerprint(definition, hashes);
        lines.AddRange(trainerFiles.Select(f => $"trainerInput={f.Key}:{f.Value}"));
        lines.AddRange(environmentParts.Select(p => $"{p.Key}={p.Value}"));
        var parameters = new SortedDictionary<string, string>(definition.Hyperparameters.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);
        return new InputFingerprints(ContentHash.OfText(string.Join("\n", lines)), definitionFingerprint,
            new TrainerInputs(definition.Trainer, definition.Seed, parameters) { Files = trainerFiles.Count > 0 ? trainerFiles : null }, data, environmentParts);
    }

    /// <summary>
    /// The model settings of the definition: not its name, version or gates (they do not change the model), and the
    /// schema file by content. Hyperparameter names are compared case-insensitively, as they are applied.
    /// </summary>
    public static string OfDefinition(PipelineDefinition definition, string? schemaFingerprint) => ContentHash.OfText(MlOpsJson.Serialize(new
    {
        task = definition.ModelTask,
        label = definition.LabelColumn,
        positiveClass = definition.PositiveClass,
        trainer = definition.Trainer.ToLowerInvariant(),
        seed = definition.Seed,
        hyperparameters = new SortedDictionary<string, string>(definition.Hyperparameters.ToDictionary(p => p.Key.ToLowerInvariant(), p => p.Value), StringComparer.Ordinal),
        ignore = definition.IgnoreColumns.Order(StringComparer.Ordinal),
        categorical = definition.CategoricalColumns.Order(StringComparer.Ordinal),
        // Omitted when none are declared, so the fingerprints of projects without Feature items stay what they were.
        features = definition.Features.Count == 0 ? null : definition.Features.OrderBy(f => f.Column, StringComparer.Ordinal),
        schema = schemaFingerprint,
        // Null (left out) for ML.NET trainers, so their fingerprints are what they were before external trainers existed.
        command = definition.TrainerCommand,
        // The sweep decides which parameters the model is trained with; left out when there is none, so other
        // projects' fingerprints are unchanged. SweepShard and SweepParallelism are run options: they change nothing here.
        sweep = definition.Sweeps.Count == 0 ? null : new
        {
            parameters = definition.Sweeps.Select(s => new { name = s.Name.ToLowerInvariant(), values = s.Values, minimum = s.Minimum, maximum = s.Maximum, scale = s.Scale }),
            trials = definition.SweepTrials,
            folds = definition.SweepFolds,
            validationFraction = definition.SweepValidationFraction,
            metric = definition.SweepMetric,
        },
    }));
}
