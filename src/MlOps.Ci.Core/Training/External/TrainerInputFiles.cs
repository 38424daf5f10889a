using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Training.External;

/// <summary>
/// The files an external trainer reads besides the data (<c>TrainerInput</c> items: its script, its config), by
/// content: part of the model fingerprint, so editing the script retrains and an unchanged one restores from the cache.
/// Named relative to the project with forward slashes, as data files are, so lock files and cards compare across machines.
/// </summary>
public static class TrainerInputFiles
{
    /// <summary>Relative path → content fingerprint, sorted; empty when the project declares none.</summary>
    public static IReadOnlyDictionary<string, string> Fingerprint(PipelineDefinition definition, FileHashCache hashes)
    {
        var project = DataSource.ProjectDirectory(definition);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in definition.TrainerInputs)
        {
            var file = hashes.TryFingerprint(path) ?? throw NotFound(definition, path);
            files[DataSource.LocationOf(path, project)] = file.Hash;
        }
        return files;
    }

    public static void EnsureExist(PipelineDefinition definition)
    {
        foreach (var path in definition.TrainerInputs.Where(p => !File.Exists(p)))
            throw NotFound(definition, path);
    }

    /// <summary>
    /// Training runs with the fingerprints validation computed (they key the model cache): a script edited since then
    /// would be trained from, or restored as, a model of the old script.
    /// </summary>
    public static void EnsureUnchanged(PipelineDefinition definition, InputFingerprints validated)
    {
        var now = Fingerprint(definition, FileHashCache.InMemory());
        var then = validated.Trainer.Files ?? new Dictionary<string, string>();
        var changed = now.Where(f => then.GetValueOrDefault(f.Key) != f.Value).Select(f => f.Key).Concat(then.Keys.Except(now.Keys)).ToList();
        if (changed.Count > 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.TrainerInputChangedSinceValidation,
                $"Trainer input {string.Join(", ", changed.Select(c => $"'{c}'"))} changed after the inputs were fingerprinted by ValidateData.",
                new SourceLocation(definition.ProjectFile), "Run ValidateData again (a plain 'dotnet build' does).");
        }
    }

    private static MlOpsException NotFound(PipelineDefinition definition, string path) =>
        MlOpsException.Of(DiagnosticCodes.TrainerInputNotFound, $"Trainer input '{path}' does not exist.", new SourceLocation(definition.ProjectFile),
            "Check the Include of the TrainerInput item, relative to the project folder, or remove the item.");
}
