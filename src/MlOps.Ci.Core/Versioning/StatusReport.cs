namespace MlOps.Ci.Versioning;

/// <summary>
/// What <c>mlops status</c> / the ModelStatus target say: whether the model matches its lock file, which inputs changed
/// and, if a build ran now, whether it would train, restore from a cache or do nothing.
/// </summary>
public sealed record StatusReport(
    string Model,
    bool UpToDate,
    string Fingerprint,
    string? LockedFingerprint,
    IReadOnlyList<InputChange> Changes,
    bool Built,
    string? CachedIn,
    string NextBuild)
{
    public IEnumerable<string> Describe()
    {
        if (LockedFingerprint is null)
            yield return $"Model '{Model}' has no {LockFile.FileName} yet: every input is new.";
        else if (Changes.Count == 0)
            yield return $"Model '{Model}' matches {LockFile.FileName} ({Fingerprint}).";
        else
            yield return $"Model '{Model}' is out of date: {Changes.Count} input(s) changed since {LockFile.FileName}.";
        foreach (var change in Changes)
            yield return $"  {change}";
        yield return $"Next build: {NextBuild}.";
    }
}
