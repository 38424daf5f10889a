namespace MlOps.Ci.Testing;

public static class RepositoryRoot
{
    /// <summary>The folder holding MlOps.Ci.sln, found by walking up from the test assembly.</summary>
    public static string Path { get; } = Find();

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
