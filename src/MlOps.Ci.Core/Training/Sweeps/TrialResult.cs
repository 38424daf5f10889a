using MlOps.Ci.Data;
using MlOps.Ci.IO;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Training.Sweeps;

/// <summary>
/// A finished trial as the cache keeps it, so a sweep split across CI jobs can be merged: the metrics of every fold
/// (the merge computes means and deviations exactly as an unsplit run would) and the time it took.
/// </summary>
public sealed record TrialResult(string Key, IReadOnlyDictionary<string, string> Parameters, IReadOnlyList<IReadOnlyDictionary<string, double>> FoldMetrics, double Seconds);

/// <summary>
/// The cache key of a trial: the model the trial's parameters would make (the definition with the trial's values
/// fixed and no sweep, the training data and the environment, as in the model fingerprint) plus how it was scored.
/// Not the sweep itself: growing a grid reuses the trials already run, and every shard computes the same keys.
/// </summary>
public static class TrialKeys
{
    /// <summary>The key; <c>schemaFingerprint</c> is the schema file's content hash (null without one), computed once for all trials.</summary>
    public static string For(PipelineDefinition definition, string? schemaFingerprint, InputFingerprints inputs, SweepTrial trial, ValidationScheme validation) =>
        ContentHash.OfText(MlOpsJson.SerializeCompact(new
        {
            definition = InputFingerprints.OfDefinition(SweepSpace.Apply(definition, trial.Parameters), schemaFingerprint),
            training = inputs.Data.Where(d => d.Role == DataRole.Training).Select(d => d.Fingerprint),
            environment = inputs.Environment,
            folds = validation.Folds,
            validationFraction = validation.ValidationFraction,
        }));
}
