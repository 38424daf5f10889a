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

    public static string PackagesFolder => Path.Combine(Root, "artifacts", "packages");

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
    }

    public string Version { get; }
    public string PackagesCache { get; }

    public static string? FindPackage() =>
        Directory.Exists(Repository.PackagesFolder) ? Directory.GetFiles(Repository.PackagesFolder, "MlOps.Ci.Sdk.*.nupkg").OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault() : null;

    private static string PackNow()
    {
        var result = Dotnet.Run(Repository.Root, null, "pack", "src/MlOps.Ci.Sdk/MlOps.Ci.Sdk.csproj", "-c", "Release", "-o", Repository.PackagesFolder);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"Packing the SDK failed:\n{result}");
        return FindPackage() ?? throw new InvalidOperationException("dotnet pack produced no MlOps.Ci.Sdk package.");
    }

    /// <summary>Copies a sample into a fresh temp folder outside the repository, as a user's project, using the packed SDK.</summary>
    public ModelProject CopySample(string sample)
    {
        var folder = Directory.CreateTempSubdirectory($"mlops-e2e-{sample}-").FullName;
        var source = Path.Combine(Repository.Root, "samples", sample);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
                continue;
            var target = Path.Combine(folder, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
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
        return new ModelProject(folder, project, this);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(PackagesCache, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed class ModelProject(string folder, string projectFile, PackedSdk sdk) : IDisposable
{
    public string Folder { get; } = folder;
    public string ProjectFile { get; } = projectFile;
    public string IntermediateFolder => Path.Combine(Folder, "obj", "mlops");
    public string ModelPath => Path.Combine(IntermediateFolder, "model.onnx");

    public ProcessResult Build(params string[] arguments) =>
        Dotnet.Run(Folder, sdk.PackagesCache, ["build", ProjectFile, "-nologo", .. arguments]);

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
            Directory.Delete(Folder, recursive: true);
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
    public static ProcessResult Run(string workingDirectory, string? nugetPackages, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        if (nugetPackages is not null)
            start.Environment["NUGET_PACKAGES"] = nugetPackages;
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
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} ran for more than 5 minutes.\n{output}");
        }
        process.WaitForExit();
        return new ProcessResult(process.ExitCode, output.ToString());
    }
}
