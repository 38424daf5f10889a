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

    /// <summary><c>-p:SweepShard=i/n</c>: run only this CI job's share of the sweep's trials, store them in the cache and build no model; null for a whole build.</summary>
    public Training.Sweeps.SweepShard? SweepShard { get; init; }

    /// <summary><c>SweepParallelism</c>: how many sweep fits run at once; null for the processor count.</summary>
    public int? SweepParallelism { get; init; }

    /// <summary>
    /// The folder holding the GPU build's libonnxruntime.so when the definition asks for <c>OrtFlavor=Gpu</c> (the SDK
    /// passes the restored package's native folder); null looks in the NuGet packages folder. Machine-specific, so not in the definition.
    /// </summary>
    public string? OrtNativeDirectory { get; init; }

    /// <summary>What a build does unless told otherwise: keep the lock file current, use and fill the caches.</summary>
    public static RunOptions ForBuilds { get; } = new() { LockMode = LockMode.Update, CacheMode = CacheMode.ReadWrite };
}
