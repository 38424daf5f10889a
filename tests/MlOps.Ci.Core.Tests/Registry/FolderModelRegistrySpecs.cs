using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Core.Tests.Registry;

/// <summary>The local content-addressed store: damaged entries are never used, and concurrent builds never tear it.</summary>
public sealed class FolderModelRegistrySpecs : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly CapturingLogger _logger = new();
    private readonly FolderModelRegistry _store;
    private readonly string _package;
    private readonly ModelAnnotations _annotations;

    public FolderModelRegistrySpecs()
    {
        _store = new FolderModelRegistry(_folder.PathOf("cache"), _logger);
        (_package, _annotations) = ModelPackages.Write(_folder);
    }

    public void Dispose() => _folder.Dispose();

    private string Tag => ModelTags.ForFingerprint(_annotations.Fingerprint);

    [Fact]
    public async Task A_blob_corrupted_on_disk_is_evicted_with_warning_MLOPS6107_and_not_used()
    {
        var stored = await _store.PushAsync(_package, _annotations, [Tag]);
        var bytes = File.ReadAllBytes(stored.Location);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(stored.Location, bytes);
        var destination = _folder.PathOf("restored/churn.mlpkg");

        var pulled = await _store.PullAsync(ModelPackages.Name, Tag, destination);

        pulled.ShouldBeNull();
        File.Exists(destination).ShouldBeFalse();
        var warning = _logger.Warnings.ShouldHaveSingleItem();
        warning.Code.ShouldBe(DiagnosticCodes.CacheEntryCorrupt);
        warning.Severity.ShouldBe(DiagnosticSeverity.Warning);
        _logger.Entries.ShouldHaveSingleItem().Level.ShouldBe(LogLevel.Warning);
        File.Exists(stored.Location).ShouldBeFalse("the corrupt blob is removed");
        _store.Contains(ModelPackages.Name, Tag).ShouldBeFalse("the tag naming it is removed");
    }

    [Fact]
    public async Task A_pushed_package_is_stored_once_under_its_digest_and_pulls_back_byte_for_byte()
    {
        var stored = await _store.PushAsync(_package, _annotations, [Tag, "2.1.0"]);
        var destination = _folder.PathOf("restored/churn.mlpkg");

        var pulled = await _store.PullAsync(ModelPackages.Name, "2.1.0", destination);

        pulled.ShouldNotBeNull().Digest.ShouldBe(stored.Digest);
        File.ReadAllBytes(destination).ShouldBe(File.ReadAllBytes(_package));
        Directory.GetFiles(_folder.PathOf("cache/blobs/sha256")).ShouldHaveSingleItem();
        _logger.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public async Task Eight_concurrent_pushes_of_one_package_leave_one_consistent_blob_and_no_temporary_files()
    {
        var expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(_package)));
        using var start = new Barrier(8);

        var pushes = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            start.SignalAndWait();
            return await _store.PushAsync(_package, _annotations, [Tag]);
        })).ToList();
        var stored = await Task.WhenAll(pushes);

        stored.Select(s => s.Digest).Distinct().ShouldBe(["sha256:" + expected]);
        var blob = Directory.GetFiles(_folder.PathOf("cache/blobs/sha256")).ShouldHaveSingleItem();
        Path.GetFileName(blob).ShouldBe(expected);
        Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(blob))).ShouldBe(expected);
        (await _store.PullAsync(ModelPackages.Name, Tag, _folder.PathOf("restored/churn.mlpkg"))).ShouldNotBeNull();
        File.ReadAllBytes(_folder.PathOf("restored/churn.mlpkg")).ShouldBe(File.ReadAllBytes(_package));
        Directory.GetFiles(_folder.PathOf("cache"), "*.tmp", SearchOption.AllDirectories).ShouldBeEmpty();
    }
}
