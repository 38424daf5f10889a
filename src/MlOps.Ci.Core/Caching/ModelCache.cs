using Microsoft.Extensions.Logging;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Caching;

public enum CacheMode
{
    /// <summary>Restore from and store to the local cache and, when configured, the remote one.</summary>
    ReadWrite,

    /// <summary>Restore from the caches but never write to the remote one (developer machines reading CI's cache).</summary>
    Read,

    /// <summary>Always train.</summary>
    Off,
}

/// <summary>Where a cached model came from.</summary>
public sealed record CacheHit(string Source, StoredModel Model);

/// <summary>
/// Same model fingerprint ⇒ same model: packages are stored under their fingerprint tag, first in a local folder, then
/// in a team's OCI registry shared by every CI runner and developer. A remote hit is copied into the local cache. The
/// remote cache is an optimisation: when it cannot be reached the build warns and trains.
/// </summary>
public sealed class ModelCache(FolderModelRegistry local, IModelRegistry? remote, CacheMode mode, ILogger logger)
{
    public FolderModelRegistry Local { get; } = local;
    public IModelRegistry? Remote { get; } = remote;
    public CacheMode Mode { get; } = mode;

    public async Task<CacheHit?> TryRestoreAsync(string modelName, string fingerprint, string destination, CancellationToken cancellationToken = default)
    {
        if (Mode == CacheMode.Off)
            return null;
        var tag = ModelTags.ForFingerprint(fingerprint);
        if (await Local.PullAsync(modelName, tag, destination, cancellationToken) is { } localHit)
            return new CacheHit($"the local cache ({Local.Description})", localHit);
        if (Remote is null)
            return null;
        try
        {
            if (await Remote.PullAsync(modelName, tag, destination, cancellationToken) is not { } remoteHit)
                return null;
            await Local.PushAsync(destination, new ModelAnnotations(modelName, "", fingerprint, null, new Dictionary<string, double>(), ""), [tag], cancellationToken);
            return new CacheHit($"the remote cache ({Remote.Description})", remoteHit);
        }
        catch (MlOpsException exception)
        {
            Warn(exception, "reading");
            return null;
        }
    }

    /// <summary>Where a model with this fingerprint is cached, without fetching it: "local", "remote" or null.</summary>
    public async Task<string?> LocateAsync(string modelName, string fingerprint, CancellationToken cancellationToken = default)
    {
        if (Mode == CacheMode.Off)
            return null;
        var tag = ModelTags.ForFingerprint(fingerprint);
        if (Local.Contains(modelName, tag))
            return Local.Description;
        if (Remote is OciModelRegistry oci)
        {
            try
            {
                return await oci.ExistsAsync(modelName, tag, cancellationToken) ? Remote.Description : null;
            }
            catch (MlOpsException exception)
            {
                Warn(exception, "reading");
            }
        }
        return null;
    }

    public async Task StoreAsync(string packagePath, ModelAnnotations annotations, CancellationToken cancellationToken = default)
    {
        if (Mode == CacheMode.Off)
            return;
        var tags = new[] { ModelTags.ForFingerprint(annotations.Fingerprint) };
        await Local.PushAsync(packagePath, annotations, tags, cancellationToken);
        if (Remote is null || Mode != CacheMode.ReadWrite)
            return;
        try
        {
            var stored = await Remote.PushAsync(packagePath, annotations, tags, cancellationToken);
            logger.LogInformation("Stored the model in the remote cache: {Location}.", stored.Location);
        }
        catch (MlOpsException exception)
        {
            Warn(exception, "writing");
        }
    }

    private void Warn(MlOpsException exception, string action)
    {
        var cause = exception.Diagnostics[0];
        logger.LogWarning("{Diagnostic}", Diagnostic.Warning(DiagnosticCodes.RemoteCacheUnavailable,
            $"The remote model cache {Remote?.Description} failed while {action} ({cause.Code}: {cause.Message}); the build goes on without it.", null, cause.Hint));
    }
}
