using MlOps.Ci.Caching;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Pipeline;

/// <summary>
/// How a run treats the world outside its project: the lock file and the model caches. The library's defaults touch
/// nothing outside the intermediate folder; the shells (MSBuild SDK, CLI) ask for <see cref="ForBuilds"/>.
/// </summary>
public sealed record RunOptions
{
    public LockMode LockMode { get; init; } = LockMode.None;
    public CacheMode CacheMode { get; init; } = CacheMode.Off;

    /// <summary>The local cache folder; null means the platform default (see FolderModelRegistry.DefaultCacheRoot).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>A team's remote model cache, e.g. oci://ghcr.io/acme/mlops-cache; null for none.</summary>
    public string? RemoteCache { get; init; }

    /// <summary>What a build does unless told otherwise: keep the lock file current, use and fill the caches.</summary>
    public static RunOptions ForBuilds { get; } = new() { LockMode = LockMode.Update, CacheMode = CacheMode.ReadWrite };
}
