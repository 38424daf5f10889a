using System.Diagnostics;
using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace MlOps.Ci.Containers.Tests.Support;

/// <summary>
/// The real things the container tests use: a Docker engine, a loopback registry and a base image in it, as
/// build/containers.sh sets them up and describes them in artifacts/containers.env (MLOPS_TEST_REGISTRY,
/// MLOPS_TEST_BASE_IMAGE, DOCKER_HOST; the same variables in the environment win). CI runs that script before the
/// tests; when something is missing here and this process may run it (root), the fixture runs it too, so a plain
/// 'dotnet test' works on a developer's machine. When no engine can be had the tests are skipped with the reason, except
/// under CI=true, where the fixture fails: a runner without an engine must not pass by skipping.
/// Also trains the model packages once, and removes every image the tests tag.
/// </summary>
public sealed class ContainerEnvironment : IDisposable
{
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromMinutes(10);
    private readonly HashSet<string> _repositories = new(StringComparer.Ordinal);

    public ContainerEnvironment()
    {
        Models = new TrainedModels();
        var settings = Settings();
        var problem = Problem(settings);
        if (problem is not null && Environment.IsPrivilegedProcess && File.Exists(Script))
        {
            SetupOutput = RunSetup(out var failure);
            settings = Settings();
            problem = failure ?? Problem(settings);
        }
        if (problem is not null)
        {
            if (OnCi)
            {
                Models.Dispose();
                throw new InvalidOperationException($"The container tests cannot run: {problem.TrimEnd('.')}. CI=true, so this is a failure rather than a skip.\n{SetupOutput}");
            }
            SkipReason = $"No Docker engine and registry for the container tests: {problem.TrimEnd('.')}. Run build/containers.sh as root; with CI=true this is a failure.";
            return;
        }
        Registry = settings["MLOPS_TEST_REGISTRY"];
        BaseImage = settings["MLOPS_TEST_BASE_IMAGE"];
        DockerHost = settings.GetValueOrDefault("DOCKER_HOST") ?? "unix:///var/run/docker.sock";
        Docker = new DockerClientConfiguration(new Uri(DockerHost)).CreateClient();
    }

    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string Script => Path.Combine(RepositoryRoot.Path, "build", "containers.sh");

    /// <summary>Why the tests that need an engine are skipped here, or null when they run.</summary>
    public string? SkipReason { get; }

    /// <summary>What build/containers.sh printed, when this fixture ran it.</summary>
    public string? SetupOutput { get; }

    public string Registry { get; } = "";
    public string BaseImage { get; } = "";
    public string DockerHost { get; } = "";
    public DockerClient Docker { get; } = null!;
    public TrainedModels Models { get; }

    /// <summary>A fresh repository in the loopback registry, so tests never see each other's images; removed at the end.</summary>
    public string NewImage(string tag = TrainedModels.ModelVersion) =>
        Track($"{Registry}/mlops-tests-{Guid.NewGuid():N}"[..(Registry.Length + 21)] + $"/{TrainedModels.ModelName}:{tag}");

    /// <summary>Marks an image's repository for clean-up: every tag of it is removed from the engine at the end.</summary>
    public string Track(string image)
    {
        lock (_repositories)
            _repositories.Add(image[..image.LastIndexOf(':')]);
        return image;
    }

    /// <summary>Options for the model the tests serve, built from the real mlops tool onto the loopback base image.</summary>
    public ServingImageOptions Options(string? image = null) => new(Models.PackagePath)
    {
        AppDirectory = RepositoryRoot.AppDirectory,
        BaseImage = BaseImage,
        Image = image ?? NewImage(),
        SmokeTest = false,
        Push = false,
    };

    public async Task<ImageInspectResponse?> InspectAsync(string image)
    {
        try
        {
            return await Docker.Images.InspectImageAsync(image);
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
    }

    public async Task RemoveImageAsync(string image)
    {
        try
        {
            await Docker.Images.DeleteImageAsync(image, new ImageDeleteParameters { Force = true });
        }
        catch (DockerImageNotFoundException)
        {
        }
    }

    public async Task PullAsync(string image)
    {
        var (repository, tag) = (image[..image.LastIndexOf(':')], image[(image.LastIndexOf(':') + 1)..]);
        string? error = null;
        await Docker.Images.CreateImageAsync(new ImagesCreateParameters { FromImage = repository, Tag = tag }, new AuthConfig(),
            new SynchronousProgress(m => error ??= m.Error?.Message));
        if (error is not null)
            throw new InvalidOperationException($"docker pull {image} failed: {error}");
    }

    /// <summary>Runs a command in the image (entrypoint replaced) on the host network to completion; returns its exit code and output.</summary>
    public async Task<(long ExitCode, string Output)> RunAsync(string image, params string[] command)
    {
        var created = await Docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image,
            Entrypoint = command,
            Cmd = [],
            HostConfig = new HostConfig { NetworkMode = "host" },
        });
        try
        {
            await Docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var exit = await Docker.Containers.WaitContainerAsync(created.ID, timeout.Token);
            using var logs = await Docker.Containers.GetContainerLogsAsync(created.ID, false, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true });
            var (stdout, stderr) = await logs.ReadOutputToEndAsync(default);
            return (exit.StatusCode, stdout + stderr);
        }
        finally
        {
            await Docker.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    /// <summary>Containers the smoke test started that are still there (it must remove them, passed or failed).</summary>
    public async Task<int> SmokeTestContainersAsync()
    {
        var containers = await Docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { ["io.mlops-ci.smoke-test=true"] = true } },
        });
        return containers.Count;
    }

    private static Dictionary<string, string> Settings()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var file = Path.Combine(RepositoryRoot.Path, "artifacts", "containers.env");
        if (File.Exists(file))
        {
            foreach (var line in File.ReadAllLines(file))
            {
                var equals = line.IndexOf('=');
                if (equals > 0 && !line.StartsWith('#'))
                    settings[line[..equals].Trim()] = line[(equals + 1)..].Trim();
            }
        }
        foreach (var name in new[] { "MLOPS_TEST_REGISTRY", "MLOPS_TEST_BASE_IMAGE", "DOCKER_HOST" })
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
                settings[name] = value;
        }
        return settings;
    }

    /// <summary>What is missing, as a sentence, or null when the engine answers, the registry serves and the base image is there.</summary>
    private static string? Problem(Dictionary<string, string> settings)
    {
        if (!settings.TryGetValue("MLOPS_TEST_REGISTRY", out var registry) || !settings.TryGetValue("MLOPS_TEST_BASE_IMAGE", out var baseImage))
            return "artifacts/containers.env is missing (it is written by build/containers.sh).";
        var host = settings.GetValueOrDefault("DOCKER_HOST") ?? "unix:///var/run/docker.sock";
        try
        {
            using var docker = new DockerClientConfiguration(new Uri(host)).CreateClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            docker.System.PingAsync(timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            return $"no Docker engine answers at {host} ({exception.GetBaseException().Message}).";
        }
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var repository = baseImage[(registry.Length + 1)..baseImage.LastIndexOf(':')];
            var tag = baseImage[(baseImage.LastIndexOf(':') + 1)..];
            using var request = new HttpRequestMessage(HttpMethod.Head, $"http://{registry}/v2/{repository}/manifests/{tag}");
            request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
            using var response = http.Send(request);
            if (response.StatusCode != HttpStatusCode.OK)
                return $"the base image {baseImage} is not in the registry ({(int)response.StatusCode}).";
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return $"no registry answers at {registry} ({exception.Message}).";
        }
        return null;
    }

    private static string RunSetup(out string? failure)
    {
        var start = new ProcessStartInfo("bash", [Script]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryRoot.Path };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(SetupTimeout))
        {
            process.Kill(entireProcessTree: true);
            failure = $"build/containers.sh did not finish within {SetupTimeout.TotalMinutes:0} minutes.";
            return output.Result + errors.Result;
        }
        var text = output.Result + errors.Result;
        failure = process.ExitCode == 0 ? null : $"build/containers.sh failed (exit {process.ExitCode}): {text.Trim()}";
        return text;
    }

    public void Dispose()
    {
        if (Docker is not null)
        {
            var images = Docker.Images.ListImagesAsync(new ImagesListParameters()).GetAwaiter().GetResult();
            foreach (var image in images.Where(i => (i.RepoTags ?? []).Any(t => _repositories.Contains(t[..t.LastIndexOf(':')]))))
                RemoveImageAsync(image.ID).GetAwaiter().GetResult();
            Docker.Dispose();
        }
        Models.Dispose();
    }
}

/// <summary>The container test classes share one engine check, one set of trained packages and one clean-up.</summary>
[CollectionDefinition(Name)]
public sealed class ContainerCollection : ICollectionFixture<ContainerEnvironment>
{
    public const string Name = "Docker engine, loopback registry and trained packages";
}

/// <summary>Engine progress reported on the calling thread, unlike Progress&lt;T&gt;.</summary>
public sealed class SynchronousProgress(Action<JSONMessage> report) : IProgress<JSONMessage>
{
    public void Report(JSONMessage value) => report(value);
}
