using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace MlOps.Ci.EndToEnd.Tests;

public sealed record ProcessResult(int ExitCode, string Output)
{
    public override string ToString() => $"exit {ExitCode}\n{Output}";
}

/// <summary>The repository this test assembly was built from, and the packed SDK in its artifacts/packages.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>artifacts/packages, or the feed in MLOPS_E2E_PACKAGES (a developer's own pack, beside a build.sh pack in progress).</summary>
    public static string PackagesFolder => Environment.GetEnvironmentVariable("MLOPS_E2E_PACKAGES") is { Length: > 0 } feed ? Path.GetFullPath(feed)
        : Path.Combine(Root, "artifacts", "packages");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MlOps.Ci.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException("Cannot find the repository root (MlOps.Ci.sln) above the test assembly.");
    }
}

/// <summary>
/// The packed MlOps.Ci.Sdk: packs it when artifacts/packages has none (a plain 'dotnet test' run), and gives every
/// test run its own NuGet packages folder so the SDK is extracted fresh rather than taken from an older cache.
/// </summary>
public sealed class PackedSdk : IDisposable
{
    public PackedSdk()
    {
        var package = FindPackage() ?? PackNow();
        Version = Path.GetFileNameWithoutExtension(package)["MlOps.Ci.Sdk.".Length..];
        PackagesCache = Directory.CreateTempSubdirectory("mlops-e2e-nuget-").FullName;
        ModelCache = Directory.CreateTempSubdirectory("mlops-e2e-cache-").FullName;
    }

    public string Version { get; }
    public string PackagesCache { get; }

    /// <summary>The local model cache of this run: tests never share models with the machine's own cache.</summary>
    public string ModelCache { get; }

    /// <summary>The environment of every dotnet build a test runs.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["NUGET_PACKAGES"] = PackagesCache,
        ["MLOPS_CACHE_DIR"] = ModelCache,
        ["MLOPS_REMOTE_CACHE"] = null,
    };

    public static string? FindPackage() =>
        Directory.Exists(Repository.PackagesFolder) ? Directory.GetFiles(Repository.PackagesFolder, "MlOps.Ci.Sdk.*.nupkg").OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault() : null;

    private static string PackNow()
    {
        var result = Dotnet.Run(Repository.Root, new Dictionary<string, string?>(), "pack", "src/MlOps.Ci.Sdk/MlOps.Ci.Sdk.csproj", "-c", "Release", "-o", Repository.PackagesFolder);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"Packing the SDK failed:\n{result}");
        return FindPackage() ?? throw new InvalidOperationException("dotnet pack produced no MlOps.Ci.Sdk package.");
    }

    /// <summary>
    /// Copies a sample into a fresh temp folder outside the repository, as a user's project, using the packed SDK.
    /// <paramref name="alongside"/> names other samples' folders it reads (churn-python reads ../churn/data): they are
    /// copied beside it, as they lie in samples/.
    /// </summary>
    public ModelProject CopySample(string sample, params string[] alongside)
    {
        var root = Directory.CreateTempSubdirectory($"mlops-e2e-{sample}-").FullName;
        var folder = alongside.Length == 0 ? root : Path.Combine(root, sample);
        CopyFolder(Path.Combine(Repository.Root, "samples", sample), folder);
        foreach (var other in alongside)
            CopyFolder(Path.Combine(Repository.Root, "samples", other), Path.Combine(root, other));
        var project = Directory.GetFiles(folder, "*.mlproj").Single();
        // Exactly what the README tells a user to write: the SDK by name and version, and a feed that holds it.
        File.WriteAllText(project, File.ReadAllText(project).Replace("Sdk=\"MlOps.Ci.Sdk/0.1.0\"", $"Sdk=\"MlOps.Ci.Sdk/{Version}\""));
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="mlops" value="{Repository.PackagesFolder}" />
              </packageSources>
            </configuration>
            """);
        return new ModelProject(folder, project, this) { Root = root };
    }

    private static void CopyFolder(string source, string folder)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
                continue;
            var target = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public void Dispose()
    {
        foreach (var folder in new[] { PackagesCache, ModelCache })
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

public sealed class ModelProject(string folder, string projectFile, PackedSdk sdk) : IDisposable
{
    public string Folder { get; } = folder;
    public string ProjectFile { get; } = projectFile;

    /// <summary>The temp folder deleted on dispose: <see cref="Folder"/>, or the one holding it and the samples copied beside it.</summary>
    public string? Root { get; init; }
    public string IntermediateFolder => Path.Combine(Folder, "obj", "mlops");
    public string ModelPath => Path.Combine(IntermediateFolder, "model.onnx");

    public ProcessResult Build(params string[] arguments) => BuildWith(new Dictionary<string, string?>(), arguments);

    /// <summary>Builds with extra environment variables (a remote cache, another local cache).</summary>
    public ProcessResult BuildWith(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var merged = new Dictionary<string, string?>(sdk.Environment);
        foreach (var (name, value) in environment)
            merged[name] = value;
        return Dotnet.Run(Folder, merged, ["build", ProjectFile, "-nologo", .. arguments]);
    }

    public string LockFilePath => Path.Combine(Folder, "mlops.lock.json");

    public string PackagePath(string name = "churn", string version = "1.0.0") => Path.Combine(Folder, "bin", "Release", $"{name}.{version}.mlpkg");

    public void EditProject(string from, string to)
    {
        var text = File.ReadAllText(ProjectFile);
        if (!text.Contains(from, StringComparison.Ordinal))
            throw new InvalidOperationException($"The project has no '{from}' to replace.");
        File.WriteAllText(ProjectFile, text.Replace(from, to, StringComparison.Ordinal));
    }

    /// <summary>Replaces the value in one cell of a CSV data file (line is 1-based, counting the header).</summary>
    public void SetCell(string relativePath, int line, int column, string value)
    {
        var path = Path.Combine(Folder, relativePath);
        var lines = File.ReadAllLines(path);
        var cells = lines[line - 1].Split(',');
        cells[column - 1] = value;
        lines[line - 1] = string.Join(',', cells);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root ?? Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A model package opened as a user would: a zip with a model, a JSON model card and a data profile.</summary>
public sealed class PackageContents
{
    public PackageContents(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        Entries = zip.Entries.Select(e => e.FullName).ToList();
        Onnx = Read(zip, "model.onnx");
        Card = JsonDocument.Parse(Read(zip, "model-card.json")).RootElement.Clone();
        Profile = JsonDocument.Parse(Read(zip, "data-profile.json")).RootElement.Clone();
    }

    public IReadOnlyList<string> Entries { get; }
    public byte[] Onnx { get; }
    public JsonElement Card { get; }
    public JsonElement Profile { get; }

    private static byte[] Read(ZipArchive zip, string name)
    {
        using var stream = zip.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

public static class Dotnet
{
    public static ProcessResult Run(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        Processes.Run("dotnet", workingDirectory, environment, arguments);
}

public static class Processes
{
    public static ProcessResult Run(string program, string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
        {
            if (value is null)
                start.Environment.Remove(name);
            else
                start.Environment[name] = value;
        }
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // Plain console output: the terminal logger would rewrite lines the assertions read.
        start.Environment["MSBUILDTERMINALLOGGER"] = "off";
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran for more than 5 minutes.\n{output}");
        }
        process.WaitForExit();
        return new ProcessResult(process.ExitCode, output.ToString());
    }
}

/// <summary>
/// A real OCI registry (Debian's docker-registry, the CNCF distribution) on a free loopback port with its own storage.
/// Missing binary: tests using it are skipped with the reason, except under CI=true where that is a failure.
/// </summary>
public sealed class LocalRegistry : IDisposable
{
    private readonly Process? _process;
    private readonly string _folder;

    public LocalRegistry()
    {
        _folder = Directory.CreateTempSubdirectory("mlops-e2e-registry-").FullName;
        var binary = FindBinary();
        if (binary is null)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
                throw new InvalidOperationException("docker-registry is not installed, and CI=true requires the registry tests to run (apt-get install docker-registry).");
            return;
        }
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        Port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var config = Path.Combine(_folder, "config.yml");
        File.WriteAllText(config, $"""
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: {Path.Combine(_folder, "data")}
            http:
              addr: 127.0.0.1:{Port}
            """);
        _process = Process.Start(new ProcessStartInfo(binary, ["serve", config]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                if (http.GetAsync($"http://127.0.0.1:{Port}/v2/").GetAwaiter().GetResult().IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            Thread.Sleep(100);
        }
        throw new InvalidOperationException($"docker-registry did not start on 127.0.0.1:{Port}.");
    }

    public int Port { get; }
    public bool Available => _process is not null;
    public static string? SkipReason => FindBinary() is null && Environment.GetEnvironmentVariable("CI") != "true"
        ? "docker-registry is not installed (apt-get install docker-registry); CI installs it and runs this test." : null;

    public string Reference(string repository) => $"oci://127.0.0.1:{Port}/{repository}";

    private static string? FindBinary() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(d => Path.Combine(d, "docker-registry")).FirstOrDefault(File.Exists);

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A fact that needs the local OCI registry: skipped, with the reason, where it cannot run outside CI.</summary>
public sealed class RegistryFactAttribute : FactAttribute
{
    public RegistryFactAttribute()
    {
        if (LocalRegistry.SkipReason is { } reason)
            Skip = reason;
    }
}
