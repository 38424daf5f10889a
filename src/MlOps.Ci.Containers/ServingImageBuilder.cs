using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Containers.Engine;
using MlOps.Ci.Containers.Images;
using MlOps.Ci.Containers.SmokeTesting;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Packaging;

namespace MlOps.Ci.Containers;

/// <summary>
/// Builds a model's serving image through a Docker engine (Docker.DotNet, the Engine API), runs it and compares its
/// predictions with the package's own, and only then pushes it. The image holds the mlops tool under /app and the
/// package as /model/model.mlpkg, runs <c>mlops serve</c> as a non-root user, and is labelled with the model's name,
/// version, fingerprint and task.
/// </summary>
public sealed class ServingImageBuilder(ILogger? logger = null, string? dockerHost = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Build, then (as the options say) smoke-test, then push: the push happens only after the smoke test passed.</summary>
    public async Task<ServingImage> PublishAsync(ServingImageOptions options, CancellationToken cancellationToken = default)
    {
        var image = await BuildAsync(options, cancellationToken);
        if (options.Push)
            RequireRegistry(ImageName.Parse(image.Reference, "image name"));
        if (options.SmokeTest)
            image = image with { SmokeTest = await SmokeTestAsync(image.Reference, options, cancellationToken) };
        if (options.Push)
            image = image with { Digest = await PushAsync(image.Reference, options, cancellationToken) };
        return image;
    }

    /// <summary>Builds and tags the image in the engine (every tag of <see cref="ServingImageOptions.AdditionalTags"/> too).</summary>
    public async Task<ServingImage> BuildAsync(ServingImageOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var package = ModelPackage.Read(options.PackagePath);
        var app = AppFolder.Open(options.AppDirectory);
        if (!app.CanServe)
        {
            _logger.LogWarning("The mlops tool in '{AppDirectory}' has no serving host ({Assembly}); the image will not answer requests.",
                app.Root, AppFolder.ServingAssembly);
        }
        var recipe = ServingImageRecipe.For(options, package.Card, DateTimeOffset.UtcNow);
        var tags = recipe.Image.TagsWith(options.AdditionalTags).Select(tag => recipe.Image.WithTag(tag).ToString()).ToList();
        using var docker = await DockerEngine.ConnectAsync(dockerHost, cancellationToken);

        var clock = Stopwatch.StartNew();
        _logger.LogInformation("Building {Image} from {BaseImage}: mlops ({AppMegabytes:0.0} MB, {Files} files) and {Package}.",
            recipe.Image, recipe.BaseImage, app.Size / 1e6, app.Files.Count, Path.GetFileName(options.PackagePath));
        await using (var context = BuildContext.Create(recipe, app, options.PackagePath, package.Card.Name))
        {
            var progress = new EngineProgress(_logger, "build");
            var parameters = new ImageBuildParameters { Tags = tags, Dockerfile = BuildContext.DockerfileName, Remove = true, ForceRemove = true };
            var baseAuth = DockerEngine.AuthFor(recipe.BaseImage.Registry ?? ImageName.DockerHub);
            try
            {
                await docker.Images.BuildImageFromDockerfileAsync(parameters, context, DockerEngine.HasCredentials(baseAuth) ? [baseAuth] : [], null, progress, cancellationToken);
            }
            catch (DockerApiException exception)
            {
                throw BuildFailed(recipe, progress, DockerEngine.ApiMessage(exception));
            }
            if (progress.Error is { } error)
                throw BuildFailed(recipe, progress, error);
        }
        var inspected = await docker.Images.InspectImageAsync(recipe.Image.ToString(), cancellationToken);
        _logger.LogInformation("Built {Image} ({Id}, {Megabytes:0.0} MB) in {Seconds:0.0} s.", recipe.Image, Short(inspected.ID), inspected.Size / 1e6, clock.Elapsed.TotalSeconds);
        return new ServingImage(recipe.Image.ToString(), inspected.ID, null, inspected.Size, null);
    }

    /// <summary>
    /// Runs the image on the host network, listening on a free loopback port, waits for it to report ready, sends it rows
    /// and compares its answers with the package's ONNX model scored here; stops and removes the container whatever
    /// happens.
    /// </summary>
    public async Task<SmokeTestResult> SmokeTestAsync(string image, ServingImageOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var package = ModelPackage.Read(options.PackagePath);
        var rows = SmokeRows.For(package, options.SmokeTestData, options.SmokeTestRowLimit);
        var expected = ExpectedPredictions.Score(package, rows, options.PackagePath);
        using var docker = await DockerEngine.ConnectAsync(dockerHost, cancellationToken);
        return await new ServingSmokeTest(docker, _logger).RunAsync(image, rows, expected, options, cancellationToken);
    }

    /// <summary>Pushes every tag of the image with the credentials Core finds for its registry; returns the manifest digest.</summary>
    public async Task<string?> PushAsync(string image, ServingImageOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        ArgumentNullException.ThrowIfNull(options);
        var name = RequireRegistry(ImageName.Parse(image, "image name"));
        var auth = DockerEngine.AuthFor(name.Registry);
        using var docker = await DockerEngine.ConnectAsync(dockerHost, cancellationToken);
        string? digest = null;
        foreach (var tag in name.TagsWith(options.AdditionalTags))
        {
            var clock = Stopwatch.StartNew();
            var progress = new EngineProgress(_logger, "push");
            try
            {
                await docker.Images.PushImageAsync(name.FullRepository, new ImagePushParameters { Tag = tag }, auth, progress, cancellationToken);
            }
            catch (DockerApiException exception)
            {
                throw PushFailed(name.WithTag(tag), auth, DockerEngine.ApiMessage(exception));
            }
            if (progress.Error is { } error)
                throw PushFailed(name.WithTag(tag), auth, error);
            digest ??= progress.Digest;
            _logger.LogInformation("Pushed {Image} ({Digest}) in {Seconds:0.0} s.", name.WithTag(tag), progress.Digest, clock.Elapsed.TotalSeconds);
        }
        return digest;
    }

    /// <summary>Checked before the smoke test, so a push that cannot happen is known before minutes are spent on one.</summary>
    private static ImageName RequireRegistry(ImageName name) => name.Registry is not null ? name
        : throw MlOpsException.Of(DiagnosticCodes.ImageReferenceInvalid, $"The image {name} names no registry to push to.", null,
            "Give a registry (e.g. ghcr.io/acme), or an image name that starts with one; or build without pushing.");

    private static MlOpsException BuildFailed(ServingImageRecipe recipe, EngineProgress progress, string error)
    {
        // The FROM line is the first step: an error there (or before any step) is about the base image.
        if (progress.StepNumber <= 1)
        {
            return MlOpsException.Of(DiagnosticCodes.BaseImageNotFound, $"The base image {recipe.BaseImage} cannot be pulled: {error}", null,
                "Check its name and tag; if it is private, log in to its registry (docker login, or MLOPS_REGISTRY_USERNAME/PASSWORD); "
                + "a runner that cannot reach it needs a copy in a registry it can reach, passed as the base image.");
        }
        return MlOpsException.Of(DiagnosticCodes.ImageBuildFailed, $"Building {recipe.Image} failed at {progress.Step}: {error}", null,
            "The base image must be an ASP.NET Core 10 runtime image for linux/amd64; the engine's last output was:\n" + progress.Tail);
    }

    private static MlOpsException PushFailed(ImageName image, AuthConfig auth, string error)
    {
        var lower = error.ToLowerInvariant();
        if (lower.Contains("unauthorized") || lower.Contains("authentication required") || lower.Contains("denied") || lower.Contains("forbidden")
            || lower.Contains("no basic auth credentials") || lower.Contains("401") || lower.Contains("403"))
        {
            return MlOpsException.Of(DiagnosticCodes.ImagePushRefused,
                $"{image.Registry} refused the push of {image} ({(DockerEngine.HasCredentials(auth) ? "credentials were found and sent" : "no credentials were found")}): {error}", null,
                "Log in with 'docker login', or set MLOPS_REGISTRY_USERNAME and MLOPS_REGISTRY_PASSWORD (a token with push rights, e.g. 'packages: write' for ghcr.io).");
        }
        return MlOpsException.Of(DiagnosticCodes.ImagePushFailed, $"Pushing {image} failed: {error}", null,
            "Check that the registry is reachable from the engine (a plain-HTTP registry must be one of its insecure registries) and accepts this repository name.");
    }

    internal static string Short(string id) => id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..19] : id;
}
