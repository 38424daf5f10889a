using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;

namespace MlOps.Ci.Registry;

/// <summary>
/// A registry in a local folder, laid out like an OCI store: packages as content-addressed blobs
/// (<c>blobs/sha256/&lt;hex&gt;</c>) and tags as small files naming a digest (<c>models/&lt;name&gt;/&lt;tag&gt;</c>).
/// Every write is a temp file renamed into place, and a blob is written before any tag names it, so two builds
/// writing at once, or one killed half-way, never leave a tag pointing at missing or partial content. A blob whose
/// bytes no longer match its digest is evicted on read, never used.
/// </summary>
public sealed class FolderModelRegistry(string root, ILogger? logger = null) : IModelRegistry
{
    public string Root { get; } = Path.GetFullPath(root);

    public string Description => Root;

    /// <summary>The default local cache: $MLOPS_CACHE_DIR, else the platform's cache folder (XDG_CACHE_HOME, ~/.cache, %LOCALAPPDATA%).</summary>
    public static string DefaultCacheRoot()
    {
        if (Environment.GetEnvironmentVariable("MLOPS_CACHE_DIR") is { Length: > 0 } configured)
            return configured;
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "mlops-ci", "cache");
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var baseFolder = !string.IsNullOrEmpty(xdg) ? xdg
            : OperatingSystem.IsMacOS() ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), "Library", "Caches")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseFolder, "mlops-ci");
    }

    public Task<StoredModel> PushAsync(string packagePath, ModelAnnotations annotations, IReadOnlyList<string> tags, CancellationToken cancellationToken = default)
    {
        var content = File.ReadAllBytes(packagePath);
        var digest = OciRegistryClient.Sha256Digest(content);
        var blob = BlobPath(digest);
        if (!File.Exists(blob) || new FileInfo(blob).Length != content.Length)
            AtomicFile.WriteAllBytes(blob, content);
        foreach (var tag in tags)
            AtomicFile.WriteAllText(TagPath(annotations.Name, tag), digest + "\n");
        return Task.FromResult(new StoredModel(blob, digest, content.Length));
    }

    public Task<StoredModel?> PullAsync(string name, string tag, string destination, CancellationToken cancellationToken = default)
    {
        var tagPath = TagPath(name, tag);
        if (!File.Exists(tagPath))
            return Task.FromResult<StoredModel?>(null);
        var digest = File.ReadAllText(tagPath).Trim();
        var blob = BlobPath(digest);
        if (!File.Exists(blob))
        {
            AtomicFile.TryDelete(tagPath);
            return Task.FromResult<StoredModel?>(null);
        }
        var content = File.ReadAllBytes(blob);
        if (OciRegistryClient.Sha256Digest(content) != digest)
        {
            logger?.LogWarning("{Diagnostic}", Diagnostic.Warning(DiagnosticCodes.CacheEntryCorrupt,
                $"Cache entry {name}:{tag} is corrupt (its content no longer matches {digest}); it was removed and will not be used.",
                new SourceLocation(blob), "Nothing to do: the model is rebuilt or fetched again. Repeated corruption points at a failing disk."));
            AtomicFile.TryDelete(blob);
            AtomicFile.TryDelete(tagPath);
            return Task.FromResult<StoredModel?>(null);
        }
        AtomicFile.WriteAllBytes(destination, content);
        return Task.FromResult<StoredModel?>(new StoredModel(blob, digest, content.Length));
    }

    public bool Contains(string name, string tag) => File.Exists(TagPath(name, tag));

    private string BlobPath(string digest)
    {
        var hex = digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest["sha256:".Length..] : throw new ArgumentException($"Not a sha256 digest: {digest}");
        return Path.Combine(Root, "blobs", "sha256", hex);
    }

    private string TagPath(string name, string tag) => Path.Combine(Root, "models", OciReference.SanitizeTag(name), OciReference.SanitizeTag(tag));

    internal static string Sha256OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
