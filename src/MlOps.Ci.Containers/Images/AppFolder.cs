using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Containers.Images;

/// <summary>
/// The mlops tool as it goes into an image: every file of its folder except native libraries for other platforms
/// (only runtimes/linux-x64, and the RID-neutral runtimes/linux and runtimes/unix, can load in a linux/amd64 image),
/// native debug symbols, and any nested copy of the tool (a build output's publish/ folder).
/// </summary>
internal sealed class AppFolder
{
    public const string EntryAssembly = "mlops.dll";
    public const string ServingAssembly = "MlOps.Ci.Serving.dll";
    private static readonly string[] KeptRuntimes = ["linux-x64", "linux", "unix"];

    private AppFolder(string root, IReadOnlyList<AppFile> files)
    {
        Root = root;
        Files = files;
    }

    public string Root { get; }

    /// <summary>The files to copy, by path relative to the folder (forward slashes), in ordinal order.</summary>
    public IReadOnlyList<AppFile> Files { get; }

    public long Size => Files.Sum(f => f.Length);

    /// <summary>Whether this build of the tool carries the serving host (what <c>mlops serve</c> runs).</summary>
    public bool CanServe => Files.Any(f => f.RelativePath == ServingAssembly);

    public static AppFolder Open(string directory)
    {
        var root = Path.GetFullPath(directory);
        if (!File.Exists(Path.Combine(root, EntryAssembly)) || !File.Exists(Path.Combine(root, "mlops.runtimeconfig.json")))
        {
            throw MlOpsException.Of(DiagnosticCodes.ServingAppMissing, $"'{root}' does not hold the mlops tool ({EntryAssembly} and mlops.runtimeconfig.json).",
                new SourceLocation(root), "Run the image build from the installed mlops tool, or point the app folder at its folder (the build output of src/MlOps.Ci.Cli).");
        }
        var files = new List<AppFile>();
        Collect(root, root, files);
        files.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        return new AppFolder(root, files);
    }

    private static void Collect(string root, string directory, List<AppFile> files)
    {
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles())
        {
            if (file.Extension == ".dbg")
                continue;
            files.Add(new AppFile(Path.GetRelativePath(root, file.FullName).Replace('\\', '/'), file.FullName, file.Length, IsExecutable(file)));
        }
        foreach (var child in new DirectoryInfo(directory).EnumerateDirectories())
        {
            var relative = Path.GetRelativePath(root, child.FullName).Replace('\\', '/');
            if (File.Exists(Path.Combine(child.FullName, EntryAssembly)))
                continue;
            if (relative.StartsWith("runtimes/", StringComparison.Ordinal) && relative.Count(c => c == '/') == 1
                && !KeptRuntimes.Contains(relative["runtimes/".Length..], StringComparer.Ordinal))
            {
                continue;
            }
            Collect(root, child.FullName, files);
        }
    }

    private static bool IsExecutable(FileInfo file) =>
        !OperatingSystem.IsWindows() && (file.UnixFileMode & UnixFileMode.UserExecute) != 0;
}

/// <summary>One file of the tool: where it goes under /app, where it is now, and whether it is executable.</summary>
internal sealed record AppFile(string RelativePath, string SourcePath, long Length, bool Executable);
