using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Core.Tests.Registry;

/// <summary>
/// What a push or pull does when the network or the registry misbehaves: a fault proxy sits between the client and a
/// real registry and breaks one thing at a time.
/// </summary>
public sealed class RegistryFaultSpecs : IClassFixture<LocalRegistry>, IDisposable
{
    private const int MaxRetries = 3;
    private static readonly RegistryClientOptions Quick = new() { MaxRetries = MaxRetries, RetryDelay = TimeSpan.FromMilliseconds(10), Timeout = TimeSpan.FromSeconds(10) };
    private readonly LocalRegistry _registry;
    private readonly TempFolder _folder = new();
    private readonly FaultProxy? _proxy;
    private readonly string _package;
    private readonly ModelAnnotations _annotations;

    public RegistryFaultSpecs(LocalRegistry registry)
    {
        _registry = registry;
        (_package, _annotations) = ModelPackages.Write(_folder);
        if (registry.Port != 0)
            _proxy = new FaultProxy(registry.BaseAddress);
    }

    private FaultProxy Proxy => _proxy!;

    public void Dispose()
    {
        _proxy?.Dispose();
        _folder.Dispose();
    }

    [RegistryFact]
    public async Task A_registry_that_forbids_access_fails_with_MLOPS6103()
    {
        Proxy.Forbid = true;
        using var models = new OciModelRegistry(Proxy.NewRepository(), Quick);

        var push = await Should.ThrowAsync<MlOpsException>(() => models.PushAsync(_package, _annotations, ["2.1.0"]));
        var pull = await Should.ThrowAsync<MlOpsException>(() => models.PullAsync(ModelPackages.Name, "2.1.0", _folder.PathOf("pulled.mlpkg")));

        push.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.RegistryForbidden);
        pull.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.RegistryForbidden);
    }

    [RegistryFact]
    public async Task Failed_uploads_are_retried_and_the_push_succeeds()
    {
        Proxy.FailUploads(2);
        var reference = Proxy.NewRepository();
        using var models = new OciModelRegistry(reference, Quick);

        await models.PushAsync(_package, _annotations, ["2.1.0"]);

        Proxy.Requests.Count(r => r.IsBlobUpload && r.Status == 500).ShouldBe(2);
        Proxy.Requests.Count(r => r.IsBlobUpload && r.Status == 201).ShouldBe(2, "the empty config and the package");
        using var direct = new OciModelRegistry(reference with { Registry = _registry.Address }, Quick);
        (await direct.PullAsync(ModelPackages.Name, "2.1.0", _folder.PathOf("pulled.mlpkg"))).ShouldNotBeNull();
        File.ReadAllBytes(_folder.PathOf("pulled.mlpkg")).ShouldBe(File.ReadAllBytes(_package));
    }

    [RegistryFact]
    public async Task An_upload_that_keeps_failing_fails_with_MLOPS6104_and_leaves_no_tag()
    {
        Proxy.FailUploads(int.MaxValue);
        using var models = new OciModelRegistry(Proxy.NewRepository(), Quick);
        var repository = models.RepositoryFor(ModelPackages.Name);

        var exception = await Should.ThrowAsync<MlOpsException>(() => models.PushAsync(_package, _annotations, ["2.1.0"]));

        exception.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.RegistryServerError);
        Proxy.Requests.Count(r => r.IsBlobUpload).ShouldBe(MaxRetries + 1);
        Proxy.Requests.ShouldNotContain(r => r.Method == "PUT" && r.Path.Contains("/manifests/"));
        (await RegistryProbe.TagsAsync(_registry, repository)).ShouldNotContain("2.1.0");
    }

    [RegistryFact]
    public async Task A_503_with_Retry_After_is_waited_out_and_the_push_succeeds()
    {
        Proxy.ThrottleOnce();
        var reference = Proxy.NewRepository();
        using var models = new OciModelRegistry(reference, Quick);

        await models.PushAsync(_package, _annotations, ["2.1.0"]);

        var requests = Proxy.Requests;
        var throttled = requests.Single(r => r.Status == 503);
        var retry = requests[requests.ToList().IndexOf(throttled) + 1];
        // The retry delay is 10 ms; only Retry-After: 1 explains a pause of a second.
        (retry.At - throttled.At).ShouldBeGreaterThan(TimeSpan.FromMilliseconds(900));
        (await RegistryProbe.TagsAsync(_registry, models.RepositoryFor(ModelPackages.Name))).ShouldContain("2.1.0");
    }

    [RegistryFact]
    public async Task A_blob_altered_in_transit_fails_the_pull_with_MLOPS6105_and_keeps_nothing()
    {
        var reference = Proxy.NewRepository();
        using (var direct = new OciModelRegistry(reference with { Registry = _registry.Address }, Quick))
            await direct.PushAsync(_package, _annotations, ["2.1.0"]);
        Proxy.CorruptBlobs = true;
        using var models = new OciModelRegistry(reference, Quick);
        var destination = _folder.PathOf("pulled/churn.mlpkg");

        var exception = await Should.ThrowAsync<MlOpsException>(() => models.PullAsync(ModelPackages.Name, "2.1.0", destination));

        exception.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.DigestMismatch);
        File.Exists(destination).ShouldBeFalse();
        FilesIn(_folder.PathOf("pulled")).ShouldBeEmpty("no partial or temporary file is left");
    }

    [RegistryFact]
    public async Task A_blob_cut_off_in_transit_is_retried_then_fails_with_MLOPS6106_and_keeps_nothing()
    {
        var reference = Proxy.NewRepository();
        using (var direct = new OciModelRegistry(reference with { Registry = _registry.Address }, Quick))
            await direct.PushAsync(_package, _annotations, ["2.1.0"]);
        Proxy.TruncateBlobs = true;
        using var models = new OciModelRegistry(reference, Quick);
        var destination = _folder.PathOf("pulled/churn.mlpkg");

        var exception = await Should.ThrowAsync<MlOpsException>(() => models.PullAsync(ModelPackages.Name, "2.1.0", destination));

        exception.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.TruncatedDownload);
        Proxy.Requests.Count(r => r.Method == "GET" && r.Path.Contains("/blobs/sha256:")).ShouldBe(MaxRetries + 1);
        File.Exists(destination).ShouldBeFalse();
        FilesIn(_folder.PathOf("pulled")).ShouldBeEmpty("no partial or temporary file is left");
    }

    private static string[] FilesIn(string folder) => Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];
}
