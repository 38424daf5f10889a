using MlOps.Ci.Caching;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Core.Tests.Registry;

/// <summary>The model cache: the local folder first, then a team's OCI registry, which may fail without failing the build.</summary>
public sealed class ModelCacheSpecs(LocalRegistry registry) : IClassFixture<LocalRegistry>, IDisposable
{
    private static readonly RegistryClientOptions Quick = new() { MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(10), Timeout = TimeSpan.FromSeconds(10) };
    private readonly TempFolder _folder = new();
    private readonly CapturingLogger _logger = new();

    public void Dispose() => _folder.Dispose();

    [RegistryFact]
    public async Task A_model_another_runner_stored_remotely_is_restored_and_copied_into_the_local_cache()
    {
        var (package, annotations) = ModelPackages.Write(_folder);
        var reference = registry.NewRepository("cache");
        using (var runnerA = new OciModelRegistry(reference, Quick))
            await new ModelCache(new FolderModelRegistry(_folder.PathOf("runner-a")), runnerA, CacheMode.ReadWrite, _logger).StoreAsync(package, annotations);
        using var remote = new OciModelRegistry(reference, Quick);
        var cache = new ModelCache(new FolderModelRegistry(_folder.PathOf("runner-b"), _logger), remote, CacheMode.ReadWrite, _logger);
        var destination = _folder.PathOf("restored/churn.mlpkg");

        var first = await cache.TryRestoreAsync(ModelPackages.Name, annotations.Fingerprint, destination);
        File.Delete(destination);
        var second = await cache.TryRestoreAsync(ModelPackages.Name, annotations.Fingerprint, destination);

        first.ShouldNotBeNull().Source.ShouldStartWith("the remote cache");
        second.ShouldNotBeNull().Source.ShouldStartWith("the local cache");
        cache.Local.Contains(ModelPackages.Name, ModelTags.ForFingerprint(annotations.Fingerprint)).ShouldBeTrue();
        File.ReadAllBytes(destination).ShouldBe(File.ReadAllBytes(package));
        _logger.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_unreachable_remote_cache_warns_MLOPS6110_and_the_local_cache_still_works()
    {
        var (package, annotations) = ModelPackages.Write(_folder);
        using var remote = new OciModelRegistry(new OciReference($"127.0.0.1:{Ports.Free()}", "cache"), Quick);
        var cache = new ModelCache(new FolderModelRegistry(_folder.PathOf("local"), _logger), remote, CacheMode.ReadWrite, _logger);
        var destination = _folder.PathOf("restored/churn.mlpkg");

        var miss = await cache.TryRestoreAsync(ModelPackages.Name, annotations.Fingerprint, destination);
        await cache.StoreAsync(package, annotations);
        var hit = await cache.TryRestoreAsync(ModelPackages.Name, annotations.Fingerprint, destination);

        miss.ShouldBeNull();
        _logger.Warnings.Select(w => w.Code).ShouldBe([DiagnosticCodes.RemoteCacheUnavailable, DiagnosticCodes.RemoteCacheUnavailable]);
        _logger.Warnings[0].Message.ShouldContain(DiagnosticCodes.RegistryUnreachable);
        _logger.Warnings[1].Message.ShouldContain("writing");
        cache.Local.Contains(ModelPackages.Name, ModelTags.ForFingerprint(annotations.Fingerprint)).ShouldBeTrue();
        hit.ShouldNotBeNull().Source.ShouldStartWith("the local cache");
        File.ReadAllBytes(destination).ShouldBe(File.ReadAllBytes(package));
    }

    [Fact]
    public async Task With_the_cache_off_nothing_is_stored_or_restored()
    {
        var (package, annotations) = ModelPackages.Write(_folder);
        var cache = new ModelCache(new FolderModelRegistry(_folder.PathOf("local")), null, CacheMode.Off, _logger);

        await cache.StoreAsync(package, annotations);
        var restored = await cache.TryRestoreAsync(ModelPackages.Name, annotations.Fingerprint, _folder.PathOf("restored/churn.mlpkg"));

        restored.ShouldBeNull();
        Directory.Exists(_folder.PathOf("local")).ShouldBeFalse();
    }
}
