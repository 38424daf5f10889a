using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using MlOps.Ci.Data;

namespace MlOps.Ci.Benchmarks;

/// <summary>
/// ContentHash.OfFile (XxHash128) against MD5 (what DVC uses) on the same 1 GiB file, read from the page cache after the
/// warm-up. One operation is the whole file; the Throughput column is GB/s (10^9 bytes).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class HashingThroughput
{
    private string? _privateFolder;
    private string _path = null!;

    [GlobalSetup]
    public void Setup()
    {
        var folder = BenchData.SharedFolder ?? (_privateFolder = BenchData.NewPrivateFolder());
        _path = BenchData.EnsureHashFile(folder);
    }

    [Benchmark(Baseline = true)]
    public string Md5()
    {
        using var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(MD5.HashData(stream));
    }

    [Benchmark]
    public string ContentHashOfFile() => ContentHash.OfFile(_path);

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_privateFolder is not null)
            Directory.Delete(_privateFolder, recursive: true);
    }
}
