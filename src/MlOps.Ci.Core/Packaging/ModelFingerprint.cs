using MlOps.Ci.Data;
using MlOps.Ci.IO;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Packaging;

/// <summary>
/// Same fingerprint ⇒ same model: the hash of the definition parts that shape the model (not its name, version or
/// gates), the content of every data file, and the environment parts that can change training.
/// </summary>
public static class ModelFingerprint
{
    public static string OfDefinition(PipelineDefinition definition, DataSchema schema) => ContentHash.OfText(MlOpsJson.Serialize(new
    {
        task = definition.ModelTask,
        label = definition.LabelColumn,
        positiveClass = definition.PositiveClass,
        trainer = definition.Trainer.ToLowerInvariant(),
        seed = definition.Seed,
        hyperparameters = new SortedDictionary<string, string>(definition.Hyperparameters.ToDictionary(p => p.Key.ToLowerInvariant(), p => p.Value), StringComparer.Ordinal),
        schema,
    }));

    public static string Compute(string definitionFingerprint, IEnumerable<DataFingerprint> data, EnvironmentInfo environment)
    {
        var lines = new List<string> { $"definition={definitionFingerprint}" };
        lines.AddRange(data.Where(d => d.Role == DataRole.Training).Select(d => $"training={d.Fingerprint}"));
        lines.AddRange(environment.FingerprintParts);
        return ContentHash.OfText(string.Join("\n", lines));
    }
}
