using System.Reflection;

namespace MlOps.Ci.Containers.Tests.Support;

public static class RepositoryRoot
{
    /// <summary>The folder holding MlOps.Ci.sln, found by walking up from the test assembly.</summary>
    public static string Path { get; } = Find();

    /// <summary>
    /// The mlops tool the images are built from: the CLI's build output for this configuration (the test project builds
    /// it first), or MLOPS_TEST_APP_DIRECTORY.
    /// </summary>
    public static string AppDirectory =>
        Environment.GetEnvironmentVariable("MLOPS_TEST_APP_DIRECTORY") is { Length: > 0 } configured
            ? configured
            : typeof(RepositoryRoot).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MlOpsAppDirectory").Value!;

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "MlOps.Ci.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"No MlOps.Ci.sln above {AppContext.BaseDirectory}.");
    }
}
