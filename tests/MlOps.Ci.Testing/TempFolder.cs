namespace MlOps.Ci.Testing;

/// <summary>A fresh folder per test (or fixture), deleted on dispose, so every test builds real files and leaves nothing behind.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Root = Directory.CreateTempSubdirectory("mlops-tests-").FullName;
    }

    /// <summary>A folder at a given path (created), deleted on dispose like any other.</summary>
    public TempFolder(string root)
    {
        Root = Directory.CreateDirectory(root).FullName;
    }

    public string Root { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Writes a file (creating its folder) and returns its absolute path.</summary>
    public string Write(string relative, string content)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string WriteLines(string relative, IEnumerable<string> lines) => Write(relative, string.Join("\n", lines) + "\n");

    /// <summary>Copies every file of <paramref name="source"/> into <paramref name="relative"/> here, and returns the copy's path.</summary>
    public string CopyFolder(string source, string relative)
    {
        var target = PathOf(relative);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
