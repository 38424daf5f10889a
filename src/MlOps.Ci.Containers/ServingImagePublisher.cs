using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Containers.Daemonless;
using MlOps.Ci.Containers.Images;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Packaging;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Containers;

/// <summary>
/// Publishes a serving image without any container engine, for runners that have none: the base image's manifest and
/// config are read from its registry, two layers are made here (the tool under /app, the package under /model), a new
/// config carries the command, user, port, health check and labels, and blobs then the manifest are pushed with Core's
/// <see cref="OciRegistryClient"/>, the way the .NET SDK's container tooling does it. The image is the one
/// <see cref="ServingImageBuilder"/> builds from the same options; it cannot be smoke-tested here, as nothing can run it.
/// </summary>
public sealed class ServingImagePublisher(ILogger? logger = null, RegistryClientOptions? registryOptions = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public async Task<ServingImage> PublishAsync(ServingImageOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var package = ModelPackage.Read(options.PackagePath);
        var app = AppFolder.Open(options.AppDirectory);
        var recipe = ServingImageRecipe.For(options, package.Card, DateTimeOffset.UtcNow);
        var target = recipe.Image;
        if (target.Registry is null)
        {
            throw MlOpsException.Of(DiagnosticCodes.ImageReferenceInvalid, $"The image {target} names no registry to publish to.", null,
                "Give a registry (e.g. ghcr.io/acme), or an image name that starts with one.");
        }
        var clock = Stopwatch.StartNew();
        var scratch = Directory.CreateTempSubdirectory("mlops-image-");
        using var source = new OciRegistryClient(recipe.BaseImage.ApiRegistry, registryOptions);
        using var destination = recipe.BaseImage.ApiRegistry == target.Registry ? null : new OciRegistryClient(target.Registry, registryOptions);
        var sink = destination ?? source;
        try
        {
            var (manifest, manifestMediaType) = await BaseManifestAsync(source, recipe.BaseImage, cancellationToken);
            var configDescriptor = manifest["config"] as JsonObject ?? throw Unsupported(recipe.BaseImage, "its manifest has no config");
            var configPath = Path.Combine(scratch.FullName, "config.json");
            await source.DownloadBlobAsync(recipe.BaseImage.ApiRepository, Digest(configDescriptor), Size(configDescriptor), configPath, cancellationToken);
            var baseConfig = JsonNode.Parse(await File.ReadAllBytesAsync(configPath, cancellationToken)) as JsonObject
                ?? throw Unsupported(recipe.BaseImage, "its config is not a JSON object");
            var platform = $"{baseConfig["os"]}/{baseConfig["architecture"]}";
            if (platform != "linux/amd64")
                throw Unsupported(recipe.BaseImage, $"it is a {platform} image, and the tool in a serving image is for linux/amd64");

            var layers = new[] { Layer.App(app), Layer.Model(options.PackagePath) };
            _logger.LogInformation("Made the image's layers in {Seconds:0.0} s: mlops {App:0.0} MB and the model {Model:0.0} MB compressed.",
                clock.Elapsed.TotalSeconds, layers[0].Content.Length / 1e6, layers[1].Content.Length / 1e6);
            var config = ImageConfig.Create(baseConfig, recipe, layers, DateTimeOffset.UtcNow);
            var configDigest = OciRegistryClient.Sha256Digest(config);

            var baseLayers = manifest["layers"] as JsonArray ?? throw Unsupported(recipe.BaseImage, "its manifest lists no layers");
            foreach (var descriptor in baseLayers.OfType<JsonObject>())
                await CopyBlobAsync(source, sink, recipe.BaseImage, target, descriptor, scratch.FullName, cancellationToken);
            var docker = manifestMediaType == OciRegistryClient.DockerManifestMediaType;
            foreach (var layer in layers)
                await sink.PushBlobAsync(target.Repository, layer.Digest, layer.Content, cancellationToken);
            await sink.PushBlobAsync(target.Repository, configDigest, config, cancellationToken);

            var layerDescriptors = new JsonArray(baseLayers.Select(l => l!.DeepClone()).ToArray());
            foreach (var layer in layers)
                layerDescriptors.Add(new JsonObject { ["mediaType"] = docker ? Layer.DockerMediaType : Layer.OciMediaType, ["size"] = layer.Content.Length, ["digest"] = layer.Digest });
            var imageManifest = Encoding.UTF8.GetBytes(new JsonObject
            {
                ["schemaVersion"] = 2,
                ["mediaType"] = manifestMediaType,
                ["config"] = new JsonObject { ["mediaType"] = docker ? ImageConfig.DockerMediaType : ImageConfig.OciMediaType, ["size"] = config.Length, ["digest"] = configDigest },
                ["layers"] = layerDescriptors,
            }.ToJsonString());

            string? digest = null;
            foreach (var tag in target.TagsWith(options.AdditionalTags))
                digest = await sink.PushManifestAsync(target.Repository, tag, imageManifest, manifestMediaType, cancellationToken);
            var size = config.Length + layerDescriptors.OfType<JsonObject>().Sum(Size);
            _logger.LogInformation("Published {Image}@{Digest} ({Megabytes:0.0} MB compressed) without an engine in {Seconds:0.0} s.",
                target, digest, size / 1e6, clock.Elapsed.TotalSeconds);
            return new ServingImage(target.ToString(), null, digest, size, null);
        }
        finally
        {
            try
            {
                scratch.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The base image's manifest for linux/amd64: the manifest itself, or the matching entry of an index.</summary>
    private async Task<(JsonObject Manifest, string MediaType)> BaseManifestAsync(OciRegistryClient source, ImageName baseImage, CancellationToken cancellationToken)
    {
        var response = await source.GetManifestAsync(baseImage.ApiRepository, baseImage.Reference, cancellationToken) ?? throw NotFound(baseImage);
        var manifest = Parse(response, baseImage);
        var mediaType = (string?)manifest["mediaType"] ?? response.MediaType;
        if (mediaType is OciRegistryClient.OciIndexMediaType or "application/vnd.docker.distribution.manifest.list.v2+json" || manifest["manifests"] is JsonArray)
        {
            var entries = manifest["manifests"] as JsonArray ?? [];
            var match = entries.OfType<JsonObject>().FirstOrDefault(m => (string?)m["platform"]?["os"] == "linux" && (string?)m["platform"]?["architecture"] == "amd64")
                ?? throw Unsupported(baseImage, $"it has no linux/amd64 image (it has {string.Join(", ", entries.OfType<JsonObject>().Select(m => $"{m["platform"]?["os"]}/{m["platform"]?["architecture"]}"))})");
            _logger.LogDebug("Base image {BaseImage} is an index; using its linux/amd64 manifest {Digest}.", baseImage, (string?)match["digest"]);
            response = await source.GetManifestAsync(baseImage.ApiRepository, Digest(match), cancellationToken) ?? throw NotFound(baseImage);
            manifest = Parse(response, baseImage);
            mediaType = (string?)manifest["mediaType"] ?? response.MediaType;
        }
        if (mediaType is not (OciRegistryClient.OciManifestMediaType or OciRegistryClient.DockerManifestMediaType))
            throw Unsupported(baseImage, $"its manifest is {mediaType}");
        return (manifest, mediaType);
    }

    /// <summary>A base layer the target repository lacks goes through here: downloaded (verified) and uploaded.</summary>
    private async Task CopyBlobAsync(OciRegistryClient source, OciRegistryClient sink, ImageName baseImage, ImageName target, JsonObject descriptor, string scratch, CancellationToken cancellationToken)
    {
        var digest = Digest(descriptor);
        if (await sink.BlobExistsAsync(target.Repository, digest, cancellationToken))
            return;
        var clock = Stopwatch.StartNew();
        var path = Path.Combine(scratch, digest.Replace(':', '-'));
        await source.DownloadBlobAsync(baseImage.ApiRepository, digest, Size(descriptor), path, cancellationToken);
        await sink.PushBlobAsync(target.Repository, digest, await File.ReadAllBytesAsync(path, cancellationToken), cancellationToken);
        File.Delete(path);
        _logger.LogInformation("Copied base layer {Digest} ({Megabytes:0.0} MB) to {Repository} in {Seconds:0.0} s.",
            digest, Size(descriptor) / 1e6, target.FullRepository, clock.Elapsed.TotalSeconds);
    }

    private static JsonObject Parse(OciManifestResponse response, ImageName image)
    {
        try
        {
            return JsonNode.Parse(response.Content) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException exception)
        {
            throw Unsupported(image, $"its manifest is not valid JSON ({exception.Message})");
        }
    }

    private static string Digest(JsonObject descriptor) => (string?)descriptor["digest"] ?? throw new JsonException("a descriptor has no digest");

    /// <summary>A descriptor's size, whether the JSON was parsed (a number node) or built here (an int or long value).</summary>
    private static long Size(JsonObject descriptor) =>
        descriptor["size"] is { } size && long.TryParse(size.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture, out var bytes) ? bytes : 0;

    private static MlOpsException NotFound(ImageName image) => MlOpsException.Of(DiagnosticCodes.BaseImageNotFound,
        $"The base image {image} is not in its registry ({image.ApiRegistry} has no {image.ApiRepository}:{image.Reference}).", null,
        "Check the name and tag (or digest); a runner that cannot reach the public base image needs a copy in a registry it can reach, passed as the base image.");

    private static MlOpsException Unsupported(ImageName image, string reason) => MlOpsException.Of(DiagnosticCodes.BaseImageUnsupported,
        $"The base image {image} cannot be built on: {reason}.", null,
        $"Use an ASP.NET Core 10 runtime image for linux/amd64, like {ServingImageOptions.DefaultBaseImage}.");
}
