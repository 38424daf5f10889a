using System.Formats.Tar;

namespace MlOps.Ci.Containers.Images;

/// <summary>
/// Tar entries as both image paths write them: GNU format (long names without PAX headers, whose names carry the
/// writing process's id), a fixed timestamp and numeric owners, so the same files always give the same bytes and a
/// layer's digest changes only when its content does.
/// </summary>
internal static class ImageTar
{
    public static readonly DateTimeOffset Timestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    public const UnixFileMode Executable = Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static TarWriter Writer(Stream stream) => new(stream, TarEntryFormat.Gnu, leaveOpen: true);

    public static void File(TarWriter tar, string name, Stream content, bool executable = false, int owner = 0) =>
        tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = content,
            Mode = executable ? Executable : Readable,
            Uid = owner,
            Gid = owner,
            ModificationTime = Timestamp,
            AccessTime = Timestamp,
            ChangeTime = Timestamp,
        });

    public static void Directory(TarWriter tar, string name, int owner = 0) =>
        tar.WriteEntry(new GnuTarEntry(TarEntryType.Directory, name.TrimEnd('/') + "/")
        {
            Mode = Executable,
            Uid = owner,
            Gid = owner,
            ModificationTime = Timestamp,
            AccessTime = Timestamp,
            ChangeTime = Timestamp,
        });

    /// <summary>The tool under <paramref name="prefix"/>: a directory entry for each folder before the files in it.</summary>
    public static void App(TarWriter tar, AppFolder app, string prefix)
    {
        Directory(tar, prefix);
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in app.Files)
        {
            var parents = new Stack<string>();
            for (var folder = Parent(file.RelativePath); folder.Length > 0 && !written.Contains(folder); folder = Parent(folder))
                parents.Push(folder);
            while (parents.TryPop(out var folder))
            {
                written.Add(folder);
                Directory(tar, $"{prefix}/{folder}");
            }
            using var content = System.IO.File.OpenRead(file.SourcePath);
            File(tar, $"{prefix}/{file.RelativePath}", content, file.Executable);
        }
    }

    private static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }
}
