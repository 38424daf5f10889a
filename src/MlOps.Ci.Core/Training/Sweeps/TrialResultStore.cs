using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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
/// that JSON. As with models, the remote cache is an optimisation: when it fails the build warns and runs the trial.
/// </summary>
public sealed class TrialResultStore(string localRoot, OciReference? remote, CacheMode mode, ILogger logger) : IDisposable
{
    public const string ArtifactType = "application/vnd.mlops-ci.sweep-trial.v1";
    public const string LayerMediaType = "application/vnd.mlops-ci.sweep-trial.v1+json";
    private static readonly byte[] EmptyConfig = "{}"u8.ToArray();

    private readonly OciRegistryClient? _client = remote is null ? null : new OciRegistryClient(remote.Registry, new RegistryClientOptions { MaxRetries = 2 });

    public string LocalRoot { get; } = Path.GetFullPath(localRoot);

    /// <summary>The stored result and where it came from ("the local cache", "the remote cache"), or null.</summary>
    public async Task<(TrialResult Result, string Source)?> TryReadAsync(string modelName, string key, CancellationToken cancellationToken = default)
    {
        if (mode == CacheMode.Off)
            return null;
        var local = LocalPath(modelName, key);
        if (File.Exists(local) && TryParse(await File.ReadAllBytesAsync(local, cancellationToken), key) is { } stored)
            return (stored, "the local cache");
        if (_client is null)
            return null;
        try
        {
            var repository = RepositoryFor(modelName);
            var manifest = await _client.GetManifestAsync(repository, Tag(key), cancellationToken);
            if (manifest is null)
                return null;
            var layer = JsonNode.Parse(manifest.Content)?["layers"]?.AsArray().FirstOrDefault(l => (string?)l?["mediaType"] == LayerMediaType);
            if (layer is null)
                return null;
            var temporary = local + $".{Guid.NewGuid():N}.download";
            try
            {
                await _client.DownloadBlobAsync(repository, (string)layer["digest"]!, (long)layer["size"]!, temporary, cancellationToken);
                var content = await File.ReadAllBytesAsync(temporary, cancellationToken);
                if (TryParse(content, key) is not { } fetched)
                    return null;
                AtomicFile.WriteAllBytes(local, content);
                return (fetched, "the remote cache");
            }
            finally
            {
                AtomicFile.TryDelete(temporary);
            }
        }
        catch (MlOpsException exception)
        {
            Warn(exception, "reading");
            return null;
        }
    }

    public async Task StoreAsync(string modelName, TrialResult result, CancellationToken cancellationToken = default)
    {
        if (mode == CacheMode.Off)
            return;
        var content = Encoding.UTF8.GetBytes(MlOpsJson.Serialize(result));
        AtomicFile.WriteAllBytes(LocalPath(modelName, result.Key), content);
        if (_client is null || mode != CacheMode.ReadWrite)
            return;
        try
        {
            var repository = RepositoryFor(modelName);
            var digest = OciRegistryClient.Sha256Digest(content);
            var configDigest = OciRegistryClient.Sha256Digest(EmptyConfig);
            await _client.PushBlobAsync(repository, configDigest, EmptyConfig, cancellationToken);
            await _client.PushBlobAsync(repository, digest, content, cancellationToken);
            // The tag is pushed last, after its blobs: a reader never finds a tag whose content is missing.
            await _client.PushManifestAsync(repository, Tag(result.Key), Manifest(digest, content.Length, configDigest), OciRegistryClient.OciManifestMediaType,
                cancellationToken);
        }
        catch (MlOpsException exception)
        {
            Warn(exception, "writing");
        }
    }

    private string LocalPath(string modelName, string key) =>
        Path.Combine(LocalRoot, OciReference.SanitizeTag(modelName), ModelTags.ForFingerprint(key) + ".json");

    private static string Tag(string key) => OciReference.SanitizeTag("trial-" + ModelTags.ForFingerprint(key));

    /// <summary>The repository the model cache keeps this model in (as OciModelRegistry names it), so one cache holds a model and its trials.</summary>
    private string RepositoryFor(string modelName) => $"{remote!.Repository}/{OciReference.SanitizeTag(modelName).ToLowerInvariant()}";

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

    private static byte[] Manifest(string digest, long size, string configDigest) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["schemaVersion"] = 2,
        ["mediaType"] = OciRegistryClient.OciManifestMediaType,
        ["artifactType"] = ArtifactType,
        ["config"] = new JsonObject { ["mediaType"] = OciModelRegistry.EmptyConfigMediaType, ["digest"] = configDigest, ["size"] = EmptyConfig.Length },
        ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = LayerMediaType, ["digest"] = digest, ["size"] = size }),
    }.ToJsonString());

    private void Warn(MlOpsException exception, string action)
    {
        var cause = exception.Diagnostics[0];
        logger.LogWarning("{Diagnostic}", Diagnostic.Warning(DiagnosticCodes.RemoteCacheUnavailable,
            $"The remote cache oci://{remote?.Registry}/{remote?.Repository} failed while {action} a sweep trial ({cause.Code}: {cause.Message}); the build goes on without it.",
            null, cause.Hint));
    }

    public void Dispose() => _client?.Dispose();
}
