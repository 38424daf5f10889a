using System.Globalization;
using MlOps.Ci.Packaging;

namespace MlOps.Ci.Containers.Images;

/// <summary>
/// Everything a serving image is, whichever way it is made: the files' places, the user it runs as, its command, port,
/// health check and labels. The Dockerfile (<see cref="Engine.BuildContext"/>) and the daemonless image config
/// (<see cref="Daemonless.ImageConfig"/>) are both written from this one record, so the two paths give the same image.
/// </summary>
internal sealed record ServingImageRecipe(
    ImageName Image,
    ImageName BaseImage,
    int Port,
    IReadOnlyList<string> Entrypoint,
    IReadOnlyList<string> Command,
    IReadOnlyList<string> HealthCheck,
    IReadOnlyDictionary<string, string> Labels)
{
    public const string AppDirectory = "/app";
    public const string ModelDirectory = "/model";
    public const string ModelFileName = "model.mlpkg";
    public const string ModelPath = ModelDirectory + "/" + ModelFileName;

    /// <summary>The non-root user of Microsoft's .NET images (APP_UID), numeric so Kubernetes' runAsNonRoot can check it.</summary>
    public const int UserId = 1654;

    /// <summary>The user's home and the working folder: writable, so the request log (relative to it) can be written.</summary>
    public const string HomeDirectory = "/home/app";

    public static readonly TimeSpan HealthCheckInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan HealthCheckTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan HealthCheckStartPeriod = TimeSpan.FromSeconds(15);
    public const int HealthCheckRetries = 3;

    public const string ModelNameLabel = "io.mlops-ci.model.name";
    public const string ModelVersionLabel = "io.mlops-ci.model.version";
    public const string ModelFingerprintLabel = "io.mlops-ci.model.fingerprint";
    public const string ModelTaskLabel = "io.mlops-ci.model.task";

    public string User => UserId.ToString(CultureInfo.InvariantCulture);

    /// <summary>The listen URL inside the image; the smoke test replaces the command to listen on loopback instead.</summary>
    public static IReadOnlyList<string> UrlsArguments(string urls) => ["--urls", urls];

    public static ServingImageRecipe For(ServingImageOptions options, ModelCard card, DateTimeOffset created)
    {
        var image = options.Image is { Length: > 0 } explicitName
            ? ImageName.Parse(explicitName, "image name")
            : ImageName.ForModel(options.Registry, card.Name, card.Version);
        var baseImage = ImageName.Parse(options.BaseImage, "base image");
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["org.opencontainers.image.title"] = card.Name,
            ["org.opencontainers.image.version"] = card.Version,
            ["org.opencontainers.image.created"] = created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["org.opencontainers.image.base.name"] = baseImage.ToString(),
            [ModelNameLabel] = card.Name,
            [ModelVersionLabel] = card.Version,
            [ModelFingerprintLabel] = card.Fingerprints.Model,
            [ModelTaskLabel] = card.Task.ToString(),
        };
        if (card.Source.Commit is { Length: > 0 } commit)
            labels["org.opencontainers.image.revision"] = commit;
        if ((options.SourceUrl ?? SourceUrlFromCi()) is { Length: > 0 } source)
            labels["org.opencontainers.image.source"] = source;
        var healthCheck = options.HealthCheckCommand
            ?? ["dotnet", $"{AppDirectory}/{AppFolder.EntryAssembly}", "probe", $"http://127.0.0.1:{options.Port}/v2/health/ready"];
        return new ServingImageRecipe(
            image,
            baseImage,
            options.Port,
            ["dotnet", $"{AppDirectory}/{AppFolder.EntryAssembly}", "serve", "--package", ModelPath],
            UrlsArguments($"http://0.0.0.0:{options.Port}"),
            healthCheck,
            labels);
    }

    /// <summary>The repository a CI run builds: GitHub Actions' or Azure Pipelines' variables for it.</summary>
    private static string? SourceUrlFromCi()
    {
        var server = Environment.GetEnvironmentVariable("GITHUB_SERVER_URL");
        var repository = Environment.GetEnvironmentVariable("GITHUB_REPOSITORY");
        if (!string.IsNullOrEmpty(server) && !string.IsNullOrEmpty(repository))
            return $"{server.TrimEnd('/')}/{repository}";
        return Environment.GetEnvironmentVariable("BUILD_REPOSITORY_URI") is { Length: > 0 } azure ? azure : null;
    }
}
