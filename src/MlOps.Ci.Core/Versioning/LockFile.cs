using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;

namespace MlOps.Ci.Versioning;

public enum LockMode
{
    /// <summary>Write the lock file whenever the inputs of a successful training differ from it (local development).</summary>
    Update,

    /// <summary>Fail the build when the inputs differ from the lock file (CI): the lock must be committed with the change.</summary>
    Locked,

    /// <summary>Neither read nor write the lock file.</summary>
    None,
}

/// <summary>
/// <c>mlops.lock.json</c>, committed beside the project like dvc.lock: every input fingerprint of the current model. It
/// holds no timestamps or machine paths, so it only changes when an input does, and a pull request's diff shows which.
/// </summary>
public sealed record LockFile(
    int Version,
    string Model,
    string Fingerprint,
    string Definition,
    TrainerInputs Trainer,
    IReadOnlyList<DataInput> Data,
    IReadOnlyDictionary<string, string> Environment)
{
    public const string FileName = "mlops.lock.json";
    public const int CurrentVersion = 1;

    public static LockFile From(string modelName, InputFingerprints inputs) =>
        new(CurrentVersion, modelName, inputs.Model, inputs.Definition, inputs.Trainer, inputs.Data, inputs.Environment);

    public static string PathFor(string projectFile) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(projectFile))!, FileName);

    /// <summary>Reads the lock file, or null if there is none; a damaged one is an error with its line and column.</summary>
    public static LockFile? Read(string path)
    {
        if (!File.Exists(path))
            return null;
        var lockFile = MlOpsJson.ReadFile<LockFile>(path, DiagnosticCodes.LockFileInvalid,
            "Restore it from version control (git checkout -- mlops.lock.json), or delete it and build to write a new one.");
        if (lockFile.Version != CurrentVersion || lockFile.Fingerprint is null || lockFile.Data is null)
        {
            throw MlOpsException.Of(DiagnosticCodes.LockFileInvalid, $"'{Path.GetFileName(path)}' is not a version {CurrentVersion} MlOps.Ci lock file.",
                new SourceLocation(path, 1, 1), "Delete it and build to write a new one.");
        }
        return lockFile;
    }

    public void Write(string path)
    {
        var text = MlOpsJson.Serialize(this);
        if (File.Exists(path) && File.ReadAllText(path) == text)
            return;
        AtomicFile.WriteAllText(path, text);
    }

    /// <summary>What differs between the locked inputs and the current ones, input by input.</summary>
    public IReadOnlyList<InputChange> Compare(InputFingerprints current)
    {
        var changes = new List<InputChange>();
        // A file may be listed twice (overlapping globs): it is then read twice, so how often it is listed counts too.
        var locked = Data.GroupBy(d => (d.Location, d.Role)).ToDictionary(g => g.Key, g => g.ToList());
        var now = current.Data.GroupBy(d => (d.Location, d.Role)).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (key, inputs) in now)
        {
            var input = inputs[0];
            if (!locked.TryGetValue(key, out var before))
                changes.Add(new InputChange(ChangeKind.Added, input.Location, input.Role, null, input.Fingerprint));
            else if (before[0].Fingerprint != input.Fingerprint)
                changes.Add(new InputChange(ChangeKind.Modified, input.Location, input.Role, before[0].Fingerprint, input.Fingerprint));
            else if (before.Count != inputs.Count)
                changes.Add(new InputChange(ChangeKind.Modified, input.Location, input.Role, $"listed {before.Count} times", $"listed {inputs.Count} times"));
        }
        foreach (var (key, inputs) in locked.Where(l => !now.ContainsKey(l.Key)))
            changes.Add(new InputChange(ChangeKind.Removed, key.Location, key.Role, inputs[0].Fingerprint, null));

        if (Trainer.Name != current.Trainer.Name)
            changes.Add(new InputChange(ChangeKind.Modified, "trainer", null, Trainer.Name, current.Trainer.Name));
        if (Trainer.Seed != current.Trainer.Seed)
            changes.Add(new InputChange(ChangeKind.Modified, "seed", null, Trainer.Seed.ToString(), current.Trainer.Seed.ToString()));
        CompareEntries(Trainer.Parameters, current.Trainer.Parameters, "hyperparameter", changes);
        CompareEntries(Trainer.Files, current.Trainer.Files, "trainer input", changes);
        foreach (var name in Environment.Keys.Union(current.Environment.Keys).Order(StringComparer.Ordinal))
        {
            var before = Environment.GetValueOrDefault(name);
            var after = current.Environment.GetValueOrDefault(name);
            if (before != after)
                changes.Add(new InputChange(ChangeKind.Modified, $"environment {name}", null, before, after));
        }
        var settingsExplained = changes.Any(c => c.Role is null && !c.Input.StartsWith("environment", StringComparison.Ordinal));
        if (Definition != current.Definition && !settingsExplained)
            changes.Add(new InputChange(ChangeKind.Modified, "model settings (task, label, columns or schema file)", null, Definition, current.Definition));
        return changes;
    }

    /// <summary>One change per name whose value differs between the lock and now: added, removed or modified, in name order.</summary>
    private static void CompareEntries(IReadOnlyDictionary<string, string>? locked, IReadOnlyDictionary<string, string>? current, string label, List<InputChange> changes)
    {
        locked ??= new Dictionary<string, string>();
        current ??= new Dictionary<string, string>();
        foreach (var name in locked.Keys.Union(current.Keys).Order(StringComparer.Ordinal))
        {
            var before = locked.GetValueOrDefault(name);
            var after = current.GetValueOrDefault(name);
            if (before != after)
                changes.Add(new InputChange(before is null ? ChangeKind.Added : after is null ? ChangeKind.Removed : ChangeKind.Modified, $"{label} {name}", null, before, after));
        }
    }
}

public enum ChangeKind
{
    Added,
    Modified,
    Removed,
}

/// <summary>One input that differs from the lock file; <see cref="Role"/> is set for data inputs.</summary>
public sealed record InputChange(ChangeKind Kind, string Input, DataRole? Role, string? Locked, string? Current)
{
    /// <summary>True when the change alters the model (evaluation data does not; it only re-evaluates).</summary>
    public bool AffectsModel => Role != DataRole.Evaluation;

    public override string ToString() => Kind switch
    {
        ChangeKind.Added => $"{Input}{RoleText} was added ({Current})",
        ChangeKind.Removed => $"{Input}{RoleText} was removed (was {Locked})",
        _ => $"{Input}{RoleText} changed: {Locked} → {Current}",
    };

    private string RoleText => Role is { } role ? $" ({role.ToString().ToLowerInvariant()} data)" : "";
}
