using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Core.Tests.Versioning;

/// <summary>
/// The stat cache of content fingerprints: a file whose size, modification time and inode are unchanged is trusted
/// without reading it. The tests rewrite a file behind the cache's back to show exactly what that contract is.
/// </summary>
public sealed class FileHashCacheSpecs : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void An_unchanged_file_is_not_read_again_so_a_same_size_rewrite_with_its_old_time_returns_the_cached_hash()
    {
        var path = _folder.Write("data/train.csv", "a,b\n1,2\n");
        var cache = FileHashCache.InMemory();
        var original = cache.Fingerprint(path);

        RewriteKeepingIdentity(path, "a,b\n3,4\n");

        ContentHash.OfFile(path).ShouldNotBe(original, "the content did change");
        cache.Fingerprint(path).ShouldBe(original, "size, mtime and inode match, so the file is not read");
        FileHashCache.InMemory().Fingerprint(path).ShouldBe(ContentHash.OfFile(path), "a cache that never saw the file reads it");
    }

    [Fact]
    public void A_change_of_size_is_noticed_and_hashed_again()
    {
        var path = _folder.Write("data/train.csv", "a,b\n1,2\n");
        var cache = FileHashCache.InMemory();
        var original = cache.Fingerprint(path);
        var time = File.GetLastWriteTimeUtc(path);

        File.WriteAllText(path, "a,b\n1,2\n5,6\n");
        File.SetLastWriteTimeUtc(path, time);

        cache.Fingerprint(path).ShouldNotBe(original);
        cache.Fingerprint(path).ShouldBe(ContentHash.OfFile(path));
    }

    [Fact]
    public void A_change_of_modification_time_is_noticed_and_hashed_again()
    {
        var path = _folder.Write("data/train.csv", "a,b\n1,2\n");
        var cache = FileHashCache.InMemory();
        var original = cache.Fingerprint(path);

        File.WriteAllText(path, "a,b\n3,4\n");
        File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddSeconds(5));

        cache.Fingerprint(path).ShouldNotBe(original);
        cache.Fingerprint(path).ShouldBe(ContentHash.OfFile(path));
    }

    [Fact]
    public void Saved_fingerprints_are_trusted_again_after_loading()
    {
        var path = _folder.Write("data/train.csv", "a,b\n1,2\n");
        var cachePath = _folder.PathOf("obj/mlops/file-hashes.tsv");
        var saved = FileHashCache.Load(cachePath);
        var original = saved.Fingerprint(path);
        saved.Save();

        RewriteKeepingIdentity(path, "a,b\n3,4\n");
        var loaded = FileHashCache.Load(cachePath);

        File.Exists(cachePath).ShouldBeTrue();
        loaded.Fingerprint(path).ShouldBe(original, "the entry came from the saved file, not from reading the data");
        FileHashCache.Load(_folder.PathOf("obj/mlops/other.tsv")).Fingerprint(path).ShouldBe(ContentHash.OfFile(path));
    }

    [Fact]
    public void A_damaged_cache_file_is_an_empty_cache()
    {
        var path = _folder.Write("data/train.csv", "a,b\n1,2\n");
        var cachePath = _folder.Write("obj/mlops/file-hashes.tsv", "not\ta\tcache\nline\n");

        FileHashCache.Load(cachePath).Fingerprint(path).ShouldBe(ContentHash.OfFile(path));
    }

    [Fact]
    public void FileIdentity_size_and_modification_time_agree_with_FileInfo()
    {
        var path = _folder.Write("data/train.csv", new string('x', 12345));
        File.SetLastWriteTimeUtc(path, new DateTime(2024, 2, 29, 13, 14, 15, DateTimeKind.Utc).AddTicks(1234567));

        var identity = FileIdentity.Of(path).ShouldNotBeNull();
        var info = new FileInfo(path);

        identity.Size.ShouldBe(info.Length);
        identity.Size.ShouldBe(12345);
        identity.ModifiedTicks.ShouldBe(info.LastWriteTimeUtc.Ticks);
        if (OperatingSystem.IsLinux())
            identity.Inode.ShouldNotBe(0UL);
        FileIdentity.Of(_folder.PathOf("missing.csv")).ShouldBeNull();
    }

    /// <summary>Overwrites a file in place with content of the same length and puts its modification time back.</summary>
    [Fact]
    public void A_preloaded_cache_serves_one_load_of_its_path_and_the_next_load_reads_the_file_again()
    {
        var path = _folder.Write("data/train.csv", "a,b\n1,2\n");
        var cachePath = _folder.PathOf("obj/mlops/file-hashes.tsv");
        var writer = FileHashCache.Load(cachePath);
        var original = writer.Fingerprint(path);
        writer.Save();
        RewriteKeepingIdentity(path, "a,b\n3,4\n");

        FileHashCache.Preload(cachePath);
        var preloaded = FileHashCache.Load(_folder.PathOf("obj/mlops/../mlops/file-hashes.tsv"));
        File.Delete(cachePath);
        var afterwards = FileHashCache.Load(cachePath);

        preloaded.Fingerprint(path).ShouldBe(original, "the preloaded entries are the saved ones");
        afterwards.Fingerprint(path).ShouldBe(ContentHash.OfFile(path), "a preload serves one load only; the next reads the (now deleted) file");
    }

    [Fact]
    public void Fingerprints_of_many_files_at_once_equal_one_at_a_time_with_missing_files_as_null()
    {
        // More than the parallel threshold, so the stat calls really run on several threads.
        var paths = Enumerable.Range(0, 700).Select(i => i % 100 == 7 ? _folder.PathOf($"data/missing-{i}.csv") : _folder.Write($"data/part-{i}.csv", $"a,b\n{i},{i * 2}\n")).ToList();
        var cache = FileHashCache.InMemory();

        var all = cache.TryFingerprintAll(paths);

        all.Count.ShouldBe(paths.Count);
        for (var i = 0; i < paths.Count; i++)
            all[i].ShouldBe(FileHashCache.InMemory().TryFingerprint(paths[i]), paths[i]);
        all.Count(f => f is null).ShouldBe(7);
    }

    private static void RewriteKeepingIdentity(string path, string content)
    {
        var time = File.GetLastWriteTimeUtc(path);
        var before = FileIdentity.Of(path);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(content);
            stream.Length.ShouldBe(bytes.Length);
            stream.Write(bytes);
        }
        File.SetLastWriteTimeUtc(path, time);
        FileIdentity.Of(path).ShouldBe(before, "the rewrite must keep size, time and inode for the test to mean anything");
    }
}
