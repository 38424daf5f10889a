using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Packaging;

namespace MlOps.Ci.Registry;

/// <summary>
/// Model packages as OCI artifacts (OCI image-spec 1.1): an image manifest whose <c>artifactType</c> is
/// <see cref="ArtifactType"/>, the empty config, and one layer, the package itself. Annotations carry the model's
/// name, version, fingerprint, commit and metrics, so <c>oras manifest fetch</c> or <c>crane manifest</c> show them and
/// <c>oras pull</c> fetches the .mlpkg under its file name. Each model lives in <c>&lt;base&gt;/&lt;model name&gt;</c>.
/// </summary>
public sealed class OciModelRegistry : IModelRegistry, IDisposable
{
    public const string ArtifactType = "application/vnd.mlops-ci.model.v1";
    public const string EmptyConfigMediaType = "application/vnd.oci.empty.v1+json";
    public const string FingerprintAnnotation = "io.mlops-ci.model.fingerprint";
    public const string MetricsAnnotation = "io.mlops-ci.model.metrics";
    public const string TaskAnnotation = "io.mlops-ci.model.task";
    private static readonly byte[] EmptyConfig = "{}"u8.ToArray();

    private readonly OciReference _base;
    private readonly OciRegistryClient _client;

    public OciModelRegistry(OciReference baseReference, RegistryClientOptions? options = null)
    {
        _base = baseReference;
        _client = new OciRegistryClient(baseReference.Registry, options);
    }

    public string Description => $"oci://{_base.Registry}/{_base.Repository}";

    public string RepositoryFor(string name) => $"{_base.Repository}/{OciReference.SanitizeTag(name).ToLowerInvariant()}";

    public async Task<StoredModel> PushAsync(string packagePath, ModelAnnotations annotations, IReadOnlyList<string> tags, CancellationToken cancellationToken = default)
    {
        var repository = RepositoryFor(annotations.Name);
        var content = await File.ReadAllBytesAsync(packagePath, cancellationToken);
        var digest = OciRegistryClient.Sha256Digest(content);
        var configDigest = OciRegistryClient.Sha256Digest(EmptyConfig);
        await _client.PushBlobAsync(repository, configDigest, EmptyConfig, cancellationToken);
        await _client.PushBlobAsync(repository, digest, content, cancellationToken);
        var manifest = Manifest(annotations, Path.GetFileName(packagePath), digest, content.Length, configDigest);
        string? manifestDigest = null;
        foreach (var tag in tags)
            manifestDigest = await _client.PushManifestAsync(repository, tag, manifest, OciRegistryClient.OciManifestMediaType, cancellationToken);
        return new StoredModel($"oci://{_base.Registry}/{repository}@{manifestDigest}", digest, content.Length);
    }

    /// <summary>
    /// Pushes a small one-layer artifact (e.g. a sweep trial's result) beside the model's packages: its blobs first and
    /// the tag last, so a reader never finds a tag whose content is missing.
    /// </summary>
    public async Task PushArtifactAsync(string name, string tag, string artifactType, string layerMediaType, byte[] content, CancellationToken cancellationToken = default)
    {
        var repository = RepositoryFor(name);
        var digest = OciRegistryClient.Sha256Digest(content);
        var configDigest = OciRegistryClient.Sha256Digest(EmptyConfig);
        await _client.PushBlobAsync(repository, configDigest, EmptyConfig, cancellationToken);
        await _client.PushBlobAsync(repository, digest, content, cancellationToken);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciRegistryClient.OciManifestMediaType,
            ["artifactType"] = artifactType,
            ["config"] = new JsonObject { ["mediaType"] = EmptyConfigMediaType, ["digest"] = configDigest, ["size"] = EmptyConfig.Length },
            ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = layerMediaType, ["digest"] = digest, ["size"] = content.Length }),
        };
        await _client.PushManifestAsync(repository, tag, Encoding.UTF8.GetBytes(manifest.ToJsonString()), OciRegistryClient.OciManifestMediaType, cancellationToken);
    }

    /// <summary>Downloads the layer of <paramref name="layerMediaType"/> of a <see cref="PushArtifactAsync"/> artifact; false when the tag or the layer is not there.</summary>
    public async Task<bool> TryPullArtifactAsync(string name, string tag, string layerMediaType, string destination, CancellationToken cancellationToken = default)
    {
        var repository = RepositoryFor(name);
        var manifest = await _client.GetManifestAsync(repository, tag, cancellationToken);
        var layer = manifest is null ? null : JsonNode.Parse(manifest.Content)?["layers"]?.AsArray().FirstOrDefault(l => (string?)l?["mediaType"] == layerMediaType);
        if (layer is null)
            return false;
        await _client.DownloadBlobAsync(repository, (string)layer["digest"]!, (long)layer["size"]!, destination, cancellationToken);
        return true;
    }

    public async Task<bool> ExistsAsync(string name, string tag, CancellationToken cancellationToken = default) =>
        await _client.GetManifestAsync(RepositoryFor(name), tag, cancellationToken) is not null;

    public async Task<StoredModel?> PullAsync(string name, string tag, string destination, CancellationToken cancellationToken = default)
    {
        var repository = RepositoryFor(name);
        var manifest = await _client.GetManifestAsync(repository, tag, cancellationToken);
        if (manifest is null)
            return null;
        var layer = PackageLayer(manifest, repository, tag);
        await _client.DownloadBlobAsync(repository, layer.Digest, layer.Size, destination, cancellationToken);
        return new StoredModel($"oci://{_base.Registry}/{repository}@{manifest.Digest}", layer.Digest, layer.Size);
    }

    private (string Digest, long Size) PackageLayer(OciManifestResponse manifest, string repository, string tag)
    {
        try
        {
            var root = JsonNode.Parse(manifest.Content)!;
            var layer = root["layers"]!.AsArray().FirstOrDefault(l => (string?)l!["mediaType"] == ModelPackage.MediaType)
                ?? throw new JsonException("no layer of media type " + ModelPackage.MediaType);
            return ((string)layer["digest"]!, (long)layer["size"]!);
        }
        catch (Exception exception) when (exception is JsonException or NullReferenceException or InvalidOperationException or FormatException)
        {
            throw MlOpsException.Of(DiagnosticCodes.PackageInvalid, $"{_base.Registry}/{repository}:{tag} is not an MlOps.Ci model artifact: {exception.Message}.", null,
                "Point the registry setting at a repository that holds model packages pushed by mlops.");
        }
    }

    private static byte[] Manifest(ModelAnnotations annotations, string fileName, string digest, long size, string configDigest)
    {
        var manifestAnnotations = new JsonObject
        {
            ["org.opencontainers.image.title"] = annotations.Name,
            ["org.opencontainers.image.version"] = annotations.Version,
            ["org.opencontainers.image.created"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            [FingerprintAnnotation] = annotations.Fingerprint,
            [TaskAnnotation] = annotations.Task,
            [MetricsAnnotation] = JsonSerializer.Serialize(annotations.Metrics),
        };
        if (annotations.Commit is not null)
            manifestAnnotations["org.opencontainers.image.revision"] = annotations.Commit;
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciRegistryClient.OciManifestMediaType,
            ["artifactType"] = ArtifactType,
            ["config"] = new JsonObject { ["mediaType"] = EmptyConfigMediaType, ["digest"] = configDigest, ["size"] = EmptyConfig.Length, ["data"] = Convert.ToBase64String(EmptyConfig) },
            ["layers"] = new JsonArray(new JsonObject
            {
                ["mediaType"] = ModelPackage.MediaType,
                ["digest"] = digest,
                ["size"] = size,
                ["annotations"] = new JsonObject { ["org.opencontainers.image.title"] = fileName },
            }),
            ["annotations"] = manifestAnnotations,
        };
        return Encoding.UTF8.GetBytes(manifest.ToJsonString());
    }

    public void Dispose() => _client.Dispose();
}
