namespace MlOps.Ci.Registry;

/// <summary>A model package stored under a name and tag, identified by the SHA-256 digest of its bytes.</summary>
public sealed record StoredModel(string Location, string Digest, long Size);

/// <summary>What a registry records beside a package so tools that do not open it (oras, crane, a UI) can list and filter.</summary>
public sealed record ModelAnnotations(string Name, string Version, string Fingerprint, string? Commit, IReadOnlyDictionary<string, double> Metrics, string Task);

/// <summary>
/// Where model packages are kept and found by tag: a local folder by default, any OCI registry for a team. The build's
/// model cache and the release side's push/pull verbs both use this interface.
/// </summary>
public interface IModelRegistry
{
    /// <summary>Where this registry is, for logs (a folder or oci://host/repository).</summary>
    string Description { get; }

    /// <summary>Stores the package under every tag; the tags appear only once the content is complete.</summary>
    Task<StoredModel> PushAsync(string packagePath, ModelAnnotations annotations, IReadOnlyList<string> tags, CancellationToken cancellationToken = default);

    /// <summary>Copies the package tagged <paramref name="tag"/> of model <paramref name="name"/> to <paramref name="destination"/>, verified; null when there is none.</summary>
    Task<StoredModel?> PullAsync(string name, string tag, string destination, CancellationToken cancellationToken = default);
}

/// <summary>The tags under which a model package is stored.</summary>
public static class ModelTags
{
    /// <summary>The cache tag: the model fingerprint, e.g. <c>xxh128-4eb0022462732e6948639274864f83bf</c>.</summary>
    public static string ForFingerprint(string fingerprint) => OciReference.SanitizeTag(fingerprint.Replace(':', '-'));

    public static string ForVersion(string version) => OciReference.SanitizeTag(version);

    /// <summary>What a published package is tagged with: its version, its fingerprint, "latest", then any extra tags.</summary>
    public static IReadOnlyList<string> ForPublishing(string version, string fingerprint, IEnumerable<string> extra) =>
        new[] { ForVersion(version), ForFingerprint(fingerprint), "latest" }.Concat(extra.Select(OciReference.SanitizeTag)).Distinct().ToList();
}
