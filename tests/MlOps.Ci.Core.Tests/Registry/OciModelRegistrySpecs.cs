using System.Security.Cryptography;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Packaging;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Core.Tests.Registry;

/// <summary>Model packages pushed to and pulled from a real OCI registry, as artifacts other OCI tools can read.</summary>
public sealed class OciModelRegistrySpecs(LocalRegistry registry) : IClassFixture<LocalRegistry>, IDisposable
{
    private static readonly RegistryClientOptions Quick = new() { MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(10), Timeout = TimeSpan.FromSeconds(10) };
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [RegistryFact]
    public async Task A_pushed_model_package_pulls_back_byte_for_byte()
    {
        var (package, annotations) = ModelPackages.Write(_folder);
        using var models = new OciModelRegistry(registry.NewRepository(), Quick);
        var destination = _folder.PathOf("pulled/churn.mlpkg");

        var pushed = await models.PushAsync(package, annotations, ["2.1.0"]);
        var pulled = await models.PullAsync(ModelPackages.Name, "2.1.0", destination);

        pulled.ShouldNotBeNull();
        File.ReadAllBytes(destination).ShouldBe(File.ReadAllBytes(package));
        pulled.Digest.ShouldBe(pushed.Digest);
        pushed.Digest.ShouldBe("sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(package))));
        ModelPackage.Read(destination).Card.Fingerprints.Model.ShouldBe(annotations.Fingerprint);
    }

    [RegistryFact]
    public async Task The_registry_holds_an_OCI_artifact_whose_manifest_names_the_package_and_its_fingerprint()
    {
        var (package, annotations) = ModelPackages.Write(_folder);
        var reference = registry.NewRepository();
        using var models = new OciModelRegistry(reference, Quick);
        var repository = models.RepositoryFor(ModelPackages.Name);

        await models.PushAsync(package, annotations, ["2.1.0", ModelTags.ForFingerprint(annotations.Fingerprint)]);

        var (mediaType, manifest) = await RegistryProbe.ManifestAsync(registry, repository, "2.1.0");
        using (manifest)
        {
            var root = manifest.RootElement;
            mediaType.ShouldBe(OciRegistryClient.OciManifestMediaType);
            root.GetProperty("mediaType").GetString().ShouldBe(OciRegistryClient.OciManifestMediaType);
            root.GetProperty("artifactType").GetString().ShouldBe("application/vnd.mlops-ci.model.v1");
            root.GetProperty("config").GetProperty("mediaType").GetString().ShouldBe("application/vnd.oci.empty.v1+json");
            var layer = root.GetProperty("layers").EnumerateArray().ShouldHaveSingleItem();
            layer.GetProperty("mediaType").GetString().ShouldBe("application/vnd.mlops-ci.model.package.v1+zip");
            layer.GetProperty("digest").GetString().ShouldBe("sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(package))));
            layer.GetProperty("size").GetInt64().ShouldBe(new FileInfo(package).Length);
            layer.GetProperty("annotations").GetProperty("org.opencontainers.image.title").GetString().ShouldBe("churn.mlpkg");
            var manifestAnnotations = root.GetProperty("annotations");
            manifestAnnotations.GetProperty("io.mlops-ci.model.fingerprint").GetString().ShouldBe(annotations.Fingerprint);
            manifestAnnotations.GetProperty("org.opencontainers.image.version").GetString().ShouldBe("2.1.0");
        }
        var tags = await RegistryProbe.TagsAsync(registry, repository);
        tags.ShouldBe(["2.1.0", ModelTags.ForFingerprint(annotations.Fingerprint)], ignoreOrder: true);
    }

    [RegistryFact]
    public async Task Pushing_a_package_the_registry_already_has_uploads_no_blob_and_only_adds_the_tag()
    {
        var (package, annotations) = ModelPackages.Write(_folder);
        using var proxy = new FaultProxy(registry.BaseAddress);
        using var models = new OciModelRegistry(proxy.NewRepository(), Quick);
        await models.PushAsync(package, annotations, ["2.1.0"]);
        var uploadsBefore = proxy.Requests.Count(r => r.IsBlobUpload);

        await models.PushAsync(package, annotations, ["latest"]);

        uploadsBefore.ShouldBe(2, "the empty config and the package");
        proxy.Requests.Count(r => r.IsBlobUpload).ShouldBe(uploadsBefore);
        (await RegistryProbe.TagsAsync(registry, models.RepositoryFor(ModelPackages.Name))).ShouldBe(["2.1.0", "latest"], ignoreOrder: true);
    }

    [RegistryFact]
    public async Task Pulling_a_tag_that_was_never_pushed_returns_null_and_writes_nothing()
    {
        var (package, annotations) = ModelPackages.Write(_folder);
        using var models = new OciModelRegistry(registry.NewRepository(), Quick);
        await models.PushAsync(package, annotations, ["2.1.0"]);
        var destination = _folder.PathOf("pulled/churn.mlpkg");

        var pulled = await models.PullAsync(ModelPackages.Name, "9.9.9", destination);

        pulled.ShouldBeNull();
        File.Exists(destination).ShouldBeFalse();
        (await models.ExistsAsync(ModelPackages.Name, "2.1.0")).ShouldBeTrue();
        (await models.ExistsAsync(ModelPackages.Name, "9.9.9")).ShouldBeFalse();
    }

    [Fact]
    public async Task A_registry_nobody_listens_on_fails_with_MLOPS6101()
    {
        var (package, annotations) = ModelPackages.Write(_folder);
        using var models = new OciModelRegistry(new OciReference($"127.0.0.1:{Ports.Free()}", "models"), Quick);

        var pull = await Should.ThrowAsync<MlOpsException>(() => models.PullAsync(ModelPackages.Name, "2.1.0", _folder.PathOf("pulled/churn.mlpkg")));
        var push = await Should.ThrowAsync<MlOpsException>(() => models.PushAsync(package, annotations, ["2.1.0"]));

        pull.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.RegistryUnreachable);
        push.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.RegistryUnreachable);
        File.Exists(_folder.PathOf("pulled/churn.mlpkg")).ShouldBeFalse();
    }
}
