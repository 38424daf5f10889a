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

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task<FileHashCache>> Preloads = new(StringComparer.Ordinal);

    /// <summary>
    /// Starts reading the cache at <paramref name="path"/> on another thread, for a later <see cref="Load"/> of the same
    /// path to take over. Reading 100,000 entries takes about a quarter of a second; a caller that knows where the cache
    /// will be before it can use it (the CLI, while it parses the definition) overlaps the two.
    /// </summary>
    public static void Preload(string path) => Preloads.TryAdd(Path.GetFullPath(path), Task.Run(() => Read(Path.GetFullPath(path))));

    public static FileHashCache Load(string path) =>
        // Each preload serves one Load: the cache is mutable, so two callers must not share it.
        Preloads.TryRemove(Path.GetFullPath(path), out var preloaded) ? preloaded.GetAwaiter().GetResult() : Read(path);

    private static FileHashCache Read(string path)
    {
        var cache = new FileHashCache(path);
        if (!File.Exists(path))
            return cache;
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
            // About 130 bytes a line: sized once, instead of ~20 rehashes (the large ones on the LOH) for 100,000 files.
            cache._entries.EnsureCapacity((int)Math.Min(reader.BaseStream.Length / 100, 10_000_000));
            while (reader.ReadLine() is { } line)
            {
                if (line.StartsWith('#'))
                    continue;
                var rest = line.AsSpan();
                if (Field(ref rest, out var inodeText) && Field(ref rest, out var sizeText) && Field(ref rest, out var ticksText) && Field(ref rest, out var hash)
                    && rest.Length > 0
                    && ulong.TryParse(inodeText, NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
                    && long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size)
                    && long.TryParse(ticksText, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
                {
                    cache._entries[rest.ToString()] = (new FileIdentity(size, ticks, inode), hash.ToString());
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

    private static bool Field(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> field)
    {
        var tab = rest.IndexOf('\t');
        field = tab < 0 ? default : rest[..tab];
        rest = tab < 0 ? default : rest[(tab + 1)..];
        return tab >= 0;
    }

    /// <summary>The file's content fingerprint, from the cache when its identity is unchanged.</summary>
    public string Fingerprint(string path) =>
        TryFingerprint(path)?.Hash ?? throw new FileNotFoundException($"Data file '{Path.GetFullPath(path)}' does not exist.", Path.GetFullPath(path));

    /// <summary>
    /// The file's content fingerprint and size from one stat call (the hash from the cache when the identity is
    /// unchanged), or null when there is no such file: callers need no File.Exists or FileInfo of their own.
    /// </summary>
    public (string Hash, long Size)? TryFingerprint(string path)
    {
        var full = Path.GetFullPath(path);
        return TryFingerprint(full, FileIdentity.Of(full));
    }

    /// <summary>
    /// Fingerprints of many files: the stat calls — nearly all the cost when the cache is warm (3–4 µs each) — run on
    /// every core; cache lookups and the hashing of changed files then run in order. Null where there is no such file.
    /// </summary>
    public IReadOnlyList<(string Hash, long Size)?> TryFingerprintAll(IReadOnlyList<string> paths)
    {
        var full = new string[paths.Count];
        var identities = new FileIdentity?[paths.Count];
        Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = paths.Count < 512 ? 1 : Environment.ProcessorCount }, i =>
        {
            full[i] = Path.GetFullPath(paths[i]);
            identities[i] = FileIdentity.Of(full[i]);
        });
        var results = new (string Hash, long Size)?[paths.Count];
        for (var i = 0; i < paths.Count; i++)
            results[i] = TryFingerprint(full[i], identities[i]);
        return results;
    }

    /// <summary>The fingerprint of a file whose full path and identity (one stat) the caller already has.</summary>
    private (string Hash, long Size)? TryFingerprint(string full, FileIdentity? stat)
    {
        if (stat is not { } identity)
            return null;
        if (_entries.TryGetValue(full, out var entry) && entry.Identity == identity)
            return (entry.Hash, identity.Size);
        // Only on a cache miss: a folder named as data is "no such file", not a crash while hashing it.
        if (Directory.Exists(full))
            return null;
        var hash = ContentHash.OfFile(full);
        // A file modified while we hashed it would be cached under its old identity; check it did not change.
        if (FileIdentity.Of(full) == identity)
        {
            _entries[full] = (identity, hash);
            _changed = true;
        }
        return (hash, identity.Size);
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
