using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Versioning;

/// <summary>One data input: where it is declared (a path relative to the project, or a URL) and what its content is.</summary>
public sealed record DataInput(string Location, DataRole Role, long Size, string Fingerprint);

/// <summary>The settings that shape the model, as the lock file records them.</summary>
public sealed record TrainerInputs(string Name, int Seed, IReadOnlyDictionary<string, string> Parameters);

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
        var data = sources.Select(s => hashes.TryFingerprint(s.LocalPath) is { } file
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
        lines.AddRange(environmentParts.Select(p => $"{p.Key}={p.Value}"));
        var parameters = new SortedDictionary<string, string>(definition.Hyperparameters.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal);
        return new InputFingerprints(ContentHash.OfText(string.Join("\n", lines)), definitionFingerprint,
            new TrainerInputs(definition.Trainer, definition.Seed, parameters), data, environmentParts);
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
        schema = schemaFingerprint,
    }));
}
