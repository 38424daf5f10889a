using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using MlOps.Ci.Caching;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Training.Sweeps;

/// <summary>
/// Finished trials in the model cache, so CI matrix jobs that each run a shard of a sweep hand their results to the
/// merge job. Locally a JSON file per trial (<c>&lt;cache&gt;/sweeps/&lt;model&gt;/&lt;key&gt;</c>), written atomically;
/// remotely a small OCI artifact in the model's cache repository, tagged <c>trial-&lt;key&gt;</c>, whose one layer is
/// that JSON, pushed and read through the model cache's own <see cref="OciModelRegistry"/> (one client, one login).
/// As with models, the remote cache is an optimisation: when it fails the build warns and runs the trial.
/// </summary>
public sealed class TrialResultStore(string localRoot, OciModelRegistry? remote, CacheMode mode, ILogger logger)
{
    public const string ArtifactType = "application/vnd.mlops-ci.sweep-trial.v1";
    public const string LayerMediaType = "application/vnd.mlops-ci.sweep-trial.v1+json";

    public string LocalRoot { get; } = Path.GetFullPath(localRoot);

    /// <summary>The stored result and where it came from ("the local cache", "the remote cache"), or null.</summary>
    public async Task<(TrialResult Result, string Source)?> TryReadAsync(string modelName, string key, CancellationToken cancellationToken = default)
    {
        if (mode == CacheMode.Off)
            return null;
        var local = LocalPath(modelName, key);
        if (File.Exists(local) && TryParse(await File.ReadAllBytesAsync(local, cancellationToken), key) is { } stored)
            return (stored, "the local cache");
        if (remote is null)
            return null;
        var temporary = local + $".{Guid.NewGuid():N}.download";
        try
        {
            if (!await remote.TryPullArtifactAsync(modelName, Tag(key), LayerMediaType, temporary, cancellationToken))
                return null;
            var content = await File.ReadAllBytesAsync(temporary, cancellationToken);
            if (TryParse(content, key) is not { } fetched)
                return null;
            AtomicFile.WriteAllBytes(local, content);
            return (fetched, "the remote cache");
        }
        catch (MlOpsException exception)
        {
            Warn(exception, "reading");
            return null;
        }
        finally
        {
            AtomicFile.TryDelete(temporary);
        }
    }

    public async Task StoreAsync(string modelName, TrialResult result, CancellationToken cancellationToken = default)
    {
        if (mode == CacheMode.Off)
            return;
        var content = Encoding.UTF8.GetBytes(MlOpsJson.Serialize(result));
        AtomicFile.WriteAllBytes(LocalPath(modelName, result.Key), content);
        if (remote is null || mode != CacheMode.ReadWrite)
            return;
        try
        {
            await remote.PushArtifactAsync(modelName, Tag(result.Key), ArtifactType, LayerMediaType, content, cancellationToken);
        }
        catch (MlOpsException exception)
        {
            Warn(exception, "writing");
        }
    }

    private string LocalPath(string modelName, string key) =>
        Path.Combine(LocalRoot, OciReference.SanitizeTag(modelName), ModelTags.ForFingerprint(key) + ".json");

    private static string Tag(string key) => OciReference.SanitizeTag("trial-" + ModelTags.ForFingerprint(key));

    /// <summary>A result that does not parse or answers another key is not used: the trial runs again and overwrites it.</summary>
    private static TrialResult? TryParse(byte[] content, string key)
    {
        try
        {
            return JsonSerializer.Deserialize<TrialResult>(content, MlOpsJson.Options) is { } result && result.Key == key && result.FoldMetrics.Count > 0 ? result : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void Warn(MlOpsException exception, string action)
    {
        var cause = exception.Diagnostics[0];
        logger.LogWarning("{Diagnostic}", Diagnostic.Warning(DiagnosticCodes.RemoteCacheUnavailable,
            $"The remote cache {remote?.Description} failed while {action} a sweep trial ({cause.Code}: {cause.Message}); the build goes on without it.",
            null, cause.Hint));
    }
}
