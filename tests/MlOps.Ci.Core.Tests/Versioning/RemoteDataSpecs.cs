using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Caching;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Registry;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Core.Tests.Versioning;

/// <summary>
/// Training data at a URL: fetched into the content-addressed data cache, pinned by fingerprint in the lock file, and
/// refused before any training when what the URL serves no longer matches the pin.
/// </summary>
public sealed class RemoteDataSpecs : IClassFixture<LocalRegistry>, IDisposable
{
    private readonly LocalRegistry _registry;
    private readonly TempFolder _folder = new();
    private readonly HttpFileServer _server = new();
    private readonly byte[] _served = Encoding.UTF8.GetBytes(string.Join("\n", SyntheticData.Binary(400, seed: 21)) + "\n");
    private readonly string _url;
    private readonly PipelineDefinition _definition;
    private readonly RunOptions _update;

    public RemoteDataSpecs(LocalRegistry registry)
    {
        _registry = registry;
        _url = _server.Serve("datasets/train.csv", _served);
        var evaluation = _folder.WriteLines("data/test.csv", SyntheticData.Binary(200, seed: 22));
        _definition = Definitions.In(_folder, "Bought", [_url], [evaluation]) with
        {
            Hyperparameters = new Dictionary<string, string> { ["NumberOfTrees"] = "20" },
        };
        _update = new RunOptions { LockMode = LockMode.Update, CacheMode = CacheMode.ReadWrite, CacheDirectory = _folder.PathOf("cache") };
    }

    public void Dispose()
    {
        _server.Dispose();
        _folder.Dispose();
    }

    private PipelineRunner Runner(RunOptions options) => new(NullLogger.Instance, options);

    private PipelineWorkspace Workspace => PipelineWorkspace.For(_definition);

    [Fact]
    public void Training_data_at_a_URL_is_fetched_validated_trained_on_and_pinned_in_the_lock_file()
    {
        var validation = Runner(_update).Validate(_definition);
        Runner(_update).Train(_definition);

        var file = validation.Files.Single(f => f.Role == DataRole.Training);
        file.Location.ShouldBe(_url);
        file.Rows.ShouldBe(400);
        File.ReadAllBytes(file.Path).ShouldBe(_served, "the fetched copy in the data cache");
        file.Path.ShouldStartWith(_folder.PathOf("cache"));
        File.Exists(Workspace.ModelPath).ShouldBeTrue();
        var pinned = LockFile.Read(_folder.PathOf(LockFile.FileName)).ShouldNotBeNull().Data.Where(d => d.Role == DataRole.Training).ShouldHaveSingleItem();
        pinned.Location.ShouldBe(_url);
        pinned.Fingerprint.ShouldBe(ContentHash.OfBytes(_served));
        pinned.Size.ShouldBe(_served.Length);
    }

    [Fact]
    public void A_pinned_URL_is_not_fetched_again_while_its_cached_copy_is_intact()
    {
        Runner(_update).Run(_definition, [PipelineStep.Validate, PipelineStep.Train]);
        var downloads = _server.Downloads;

        Runner(_update with { LockMode = LockMode.Locked }).Validate(_definition);

        downloads.ShouldBe(1);
        _server.Downloads.ShouldBe(downloads);
    }

    [Fact]
    public void Data_that_changed_at_its_source_fails_a_fresh_build_with_MLOPS6202_before_training()
    {
        Runner(_update).Run(_definition, [PipelineStep.Validate, PipelineStep.Train]);
        Directory.Delete(_definition.IntermediateDirectory, recursive: true);
        var changed = (byte[])_served.Clone();
        changed[^2] = changed[^2] == (byte)'s' ? (byte)'o' : (byte)'s';
        _server.Serve("datasets/train.csv", changed);
        // A CI runner: the lock file came with the commit, the data cache is empty.
        var runner = Runner(_update with { LockMode = LockMode.Locked, CacheDirectory = _folder.PathOf("fresh-cache") });

        var diagnostic = Failures.SingleOf(() => runner.Run(_definition, [PipelineStep.Validate, PipelineStep.Train]));

        diagnostic.Code.ShouldBe(DiagnosticCodes.DataHashMismatch);
        diagnostic.Message.ShouldContain(_url);
        diagnostic.Message.ShouldContain(ContentHash.OfBytes(_served));
        File.Exists(Workspace.ValidationReportPath).ShouldBeFalse();
        File.Exists(Workspace.ModelPath).ShouldBeFalse("nothing was trained");
        Directory.GetFiles(_folder.PathOf("fresh-cache"), "*", SearchOption.AllDirectories).ShouldBeEmpty("the changed download is not kept");
    }

    [Fact]
    public void A_Locked_build_with_remote_data_the_lock_file_does_not_pin_fails_with_MLOPS6203()
    {
        Runner(_update).Run(_definition, [PipelineStep.Validate, PipelineStep.Train]);
        var other = _server.Serve("datasets/train-2.csv", _served);
        var definition = _definition with { TrainingData = [other] };

        var diagnostic = Failures.SingleOf(() => Runner(_update with { LockMode = LockMode.Locked }).Validate(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.RemoteDataNotLocked);
        diagnostic.Message.ShouldContain(other);
        _server.Downloads.ShouldBe(1, "an unpinned URL is not even fetched in Locked mode");
    }

    [Fact]
    public void A_URL_that_cannot_be_fetched_fails_with_MLOPS6201()
    {
        var definition = _definition with { TrainingData = [_server.UrlOf("datasets/missing.csv")] };

        var diagnostic = Failures.SingleOf(() => Runner(_update).Validate(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.DataDownloadFailed);
        diagnostic.Message.ShouldContain("404");
    }

    [RegistryFact]
    public async Task Training_data_in_an_OCI_artifact_is_fetched_and_pinned_like_a_URL()
    {
        var repository = _registry.NewRepository("datasets").Repository;
        using (var client = new OciRegistryClient(_registry.Address))
        {
            // What 'oras push REGISTRY/REPOSITORY:v1 train.csv' leaves: the empty config and the file as the only layer.
            var config = "{}"u8.ToArray();
            await client.PushBlobAsync(repository, OciRegistryClient.Sha256Digest(config), config);
            await client.PushBlobAsync(repository, OciRegistryClient.Sha256Digest(_served), _served);
            var manifest = $$"""
                {"schemaVersion": 2, "mediaType": "{{OciRegistryClient.OciManifestMediaType}}", "artifactType": "text/csv",
                 "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": "{{OciRegistryClient.Sha256Digest(config)}}", "size": 2},
                 "layers": [{"mediaType": "text/csv", "digest": "{{OciRegistryClient.Sha256Digest(_served)}}", "size": {{_served.Length}}}]}
                """;
            await client.PushManifestAsync(repository, "v1", Encoding.UTF8.GetBytes(manifest), OciRegistryClient.OciManifestMediaType);
        }
        var location = $"oci://{_registry.Address}/{repository}:v1";
        var definition = _definition with { TrainingData = [location] };

        var validation = Runner(_update).Validate(definition);
        Runner(_update).Train(definition);

        var file = validation.Files.Single(f => f.Role == DataRole.Training);
        file.Location.ShouldBe(location);
        File.ReadAllBytes(file.Path).ShouldBe(_served);
        var pinned = LockFile.Read(_folder.PathOf(LockFile.FileName)).ShouldNotBeNull().Data.Where(d => d.Role == DataRole.Training).ShouldHaveSingleItem();
        pinned.Location.ShouldBe(location);
        pinned.Fingerprint.ShouldBe(ContentHash.OfBytes(_served));
    }
}
