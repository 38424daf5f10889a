namespace MlOps.Ci.Containers;

/// <summary>
/// What goes into a serving image and where it goes: the model package, the mlops tool that serves it, the base image
/// and the image's name. The same record drives the Docker engine path (<see cref="ServingImageBuilder"/>) and the
/// daemonless one (<see cref="ServingImagePublisher"/>).
/// </summary>
/// <param name="PackagePath">The model package (.mlpkg) to serve.</param>
public sealed record ServingImageOptions(string PackagePath)
{
    public const string DefaultBaseImage = "mcr.microsoft.com/dotnet/aspnet:10.0";
    public const int DefaultPort = 8080;

    /// <summary>
    /// The mlops tool to put in the image, as a folder holding mlops.dll: by default the folder of the running tool.
    /// Native libraries for platforms other than linux-x64 are left out.
    /// </summary>
    public string AppDirectory { get; init; } = AppContext.BaseDirectory;

    /// <summary>An ASP.NET Core 10 runtime image to build on; pin it by digest for reproducible images.</summary>
    public string BaseImage { get; init; } = DefaultBaseImage;

    /// <summary>
    /// Where the image is published, as registry[/namespace] (e.g. <c>ghcr.io/acme</c>); the image is then
    /// <c>&lt;Registry&gt;/&lt;model name&gt;:&lt;model version&gt;</c>. Ignored when <see cref="Image"/> is set.
    /// </summary>
    public string? Registry { get; init; }

    /// <summary>The full image reference, [registry/]repository[:tag], when the default naming does not fit.</summary>
    public string? Image { get; init; }

    /// <summary>Further tags to push the same image under (e.g. "latest", the commit).</summary>
    public IReadOnlyList<string> AdditionalTags { get; init; } = [];

    /// <summary>The port the host listens on inside the image (0.0.0.0), exposed and probed by the health check.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>
    /// The HEALTHCHECK command (exec form); null means <c>dotnet /app/mlops.dll probe http://127.0.0.1:PORT/v2/health/ready</c>,
    /// which needs no curl in the image; an empty list builds the image without a health check.
    /// </summary>
    public IReadOnlyList<string>? HealthCheckCommand { get; init; }

    /// <summary>The source repository URL for the org.opencontainers.image.source label; read from the CI system when null.</summary>
    public string? SourceUrl { get; init; }

    /// <summary>Whether to run the image and compare its predictions with the package's own before anything is pushed.</summary>
    public bool SmokeTest { get; init; } = true;

    /// <summary>A CSV whose rows (up to <see cref="SmokeTestRowLimit"/>) the smoke test sends; null synthesizes rows from the package's data profile.</summary>
    public string? SmokeTestData { get; init; }

    public int SmokeTestRowLimit { get; init; } = 50;

    /// <summary>How long the smoke test waits for the container to report ready.</summary>
    public TimeSpan SmokeTestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest difference allowed between a served probability or score and the package's own.</summary>
    public double Tolerance { get; init; } = 1e-5;

    /// <summary>Whether to push the image once it is built (and has passed its smoke test); needs a registry in the image name.</summary>
    public bool Push { get; init; } = true;

    /// <summary>Throws when a value can never work, naming the option.</summary>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(PackagePath, nameof(PackagePath));
        ArgumentException.ThrowIfNullOrWhiteSpace(AppDirectory, nameof(AppDirectory));
        ArgumentException.ThrowIfNullOrWhiteSpace(BaseImage, nameof(BaseImage));
        ArgumentNullException.ThrowIfNull(AdditionalTags, nameof(AdditionalTags));
        ArgumentOutOfRangeException.ThrowIfLessThan(Port, 1, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SmokeTestRowLimit, nameof(SmokeTestRowLimit));
        if (SmokeTestTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(SmokeTestTimeout), SmokeTestTimeout, "The smoke test needs some time to start the container.");
        if (double.IsNaN(Tolerance) || Tolerance < 0)
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "The tolerance is a non-negative number.");
    }
}
