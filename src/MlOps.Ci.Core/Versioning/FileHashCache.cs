using System.Globalization;
using System.Text;
using MlOps.Ci.Data;
using MlOps.Ci.IO;

namespace MlOps.Ci.Versioning;

/// <summary>
/// Content fingerprints of files, remembered by <see cref="FileIdentity"/> so an unchanged file is not read again:
/// a status check over many large files costs one stat call per file. Kept as a tab-separated file (one line a file,
/// cheap to load for 100,000 files), replaced atomically; concurrent builds at worst lose each other's new entries.
/// </summary>
public sealed class FileHashCache
{
    private const string Header = "# mlops-ci file hash cache v1: inode size mtime-ticks hash path";
    private readonly string? _path;
    private readonly Dictionary<string, (FileIdentity Identity, string Hash)> _entries = new(StringComparer.Ordinal);
    private bool _changed;

    private FileHashCache(string? path) => _path = path;

    /// <summary>A cache that is never saved (tests, one-off commands).</summary>
    public static FileHashCache InMemory() => new(null);

    public static FileHashCache Load(string path)
    {
        var cache = new FileHashCache(path);
        if (!File.Exists(path))
            return cache;
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith('#'))
                    continue;
                var parts = line.Split('\t', 5);
                if (parts.Length == 5
                    && ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
                    && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                    && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
                {
                    cache._entries[parts[4]] = (new FileIdentity(size, ticks, inode), parts[3]);
                }
            }
        }
        catch (IOException)
        {
            // A cache that cannot be read is an empty cache: files are hashed again, nothing is wrong.
            cache._entries.Clear();
        }
        return cache;
    }

    /// <summary>The file's content fingerprint, from the cache when its identity is unchanged.</summary>
    public string Fingerprint(string path)
    {
        var full = Path.GetFullPath(path);
        var identity = FileIdentity.Of(full) ?? throw new FileNotFoundException($"Data file '{full}' does not exist.", full);
        if (_entries.TryGetValue(full, out var entry) && entry.Identity == identity)
            return entry.Hash;
        var hash = ContentHash.OfFile(full);
        // A file modified while we hashed it would be cached under its old identity; check it did not change.
        if (FileIdentity.Of(full) == identity)
        {
            _entries[full] = (identity, hash);
            _changed = true;
        }
        return hash;
    }

    public void Save()
    {
        if (_path is null || !_changed)
            return;
        var text = new StringBuilder(Header).Append('\n');
        foreach (var (path, (identity, hash)) in _entries)
        {
            text.Append(identity.Inode.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(identity.Size.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(identity.ModifiedTicks.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(hash).Append('\t').Append(path).Append('\n');
        }
        try
        {
            AtomicFile.WriteAllText(_path, text.ToString());
            _changed = false;
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
