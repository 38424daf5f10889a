using System.Text.Json;
using MlOps.Ci.Containers.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Registry;
using Xunit.Abstractions;

namespace MlOps.Ci.Containers.Tests;

/// <summary>
/// The daemonless path publishes through the registry API alone; the engine is used here only to check what it
/// published, by pulling and running it.
/// </summary>
[Collection(ContainerCollection.Name)]
public sealed class ServingImagePublisherSpecs(ContainerEnvironment environment, ITestOutputHelper output)
{
    private ServingImagePublisher Publisher() => new(new TestOutputLogger(output));

    [SkippableFact]
    public async Task I_can_publish_an_image_without_an_engine_that_the_engine_then_pulls_and_runs()
    {
        Skip.If(environment.SkipReason is not null, environment.SkipReason);
        var options = environment.Options() with { AdditionalTags = ["latest"] };

        var published = await Publisher().PublishAsync(options);

        published.Digest.ShouldNotBeNull().ShouldStartWith("sha256:");
        var manifest = await ManifestAsync(published.Reference);
        var baseManifest = await ManifestAsync(environment.BaseImage);
        manifest.GetProperty("layers").GetArrayLength().ShouldBe(baseManifest.GetProperty("layers").GetArrayLength() + 2);
        await environment.PullAsync(published.Reference);
        var config = (await environment.InspectAsync(published.Reference)).ShouldNotBeNull().Config;
        config.Labels["io.mlops-ci.model.fingerprint"].ShouldBe(environment.Models.Package.Card.Fingerprints.Model);
        config.User.ShouldBe("1654");
        var (exitCode, text) = await environment.RunAsync(published.Reference, "dotnet", "/app/mlops.dll", "inspect", "/model/model.mlpkg");
        exitCode.ShouldBe(0, text);
        text.ShouldContain(environment.Models.Package.Card.Fingerprints.Model);
        var home = (await ImageFiles.ListAsync(environment, published.Reference, "/home/app")).First();
        (home.Uid, home.Gid).ShouldBe((1654, 1654));
        output.WriteLine($"Published {published.Size / 1e6:0.0} MB compressed.");
    }

    [SkippableFact]
    public async Task Both_paths_give_an_image_with_the_same_command_user_port_health_check_and_labels()
    {
        Skip.If(environment.SkipReason is not null, environment.SkipReason);
        var published = await Publisher().PublishAsync(environment.Options());
        var built = await new ServingImageBuilder(new TestOutputLogger(output), environment.DockerHost).BuildAsync(environment.Options());
        await environment.PullAsync(published.Reference);

        var daemonless = (await environment.InspectAsync(published.Reference))!.Config;
        var engine = (await environment.InspectAsync(built.Reference))!.Config;

        daemonless.Entrypoint.ShouldBe(engine.Entrypoint);
        daemonless.Cmd.ShouldBe(engine.Cmd);
        daemonless.User.ShouldBe(engine.User);
        daemonless.WorkingDir.ShouldBe(engine.WorkingDir);
        daemonless.ExposedPorts.Keys.ShouldBe(engine.ExposedPorts.Keys, ignoreOrder: true);
        daemonless.Env.ShouldBe(engine.Env, ignoreOrder: true);
        daemonless.Healthcheck.Test.ShouldBe(engine.Healthcheck.Test);
        (daemonless.Healthcheck.Interval, daemonless.Healthcheck.Timeout, daemonless.Healthcheck.StartPeriod, daemonless.Healthcheck.Retries)
            .ShouldBe((engine.Healthcheck.Interval, engine.Healthcheck.Timeout, engine.Healthcheck.StartPeriod, engine.Healthcheck.Retries));
        daemonless.Labels.Where(l => l.Key != "org.opencontainers.image.created").OrderBy(l => l.Key)
            .ShouldBe(engine.Labels.Where(l => l.Key != "org.opencontainers.image.created").OrderBy(l => l.Key));
    }

    [SkippableFact]
    public async Task The_same_tool_and_package_give_the_same_layers_so_a_registry_stores_them_once()
    {
        Skip.If(environment.SkipReason is not null, environment.SkipReason);

        var first = await Publisher().PublishAsync(environment.Options());
        var second = await Publisher().PublishAsync(environment.Options());

        var layers = (await ManifestAsync(first.Reference)).GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()).ToList();
        (await ManifestAsync(second.Reference)).GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()).ShouldBe(layers);
    }

    [SkippableFact]
    public async Task A_base_image_missing_from_its_registry_is_named_in_the_error()
    {
        Skip.If(environment.SkipReason is not null, environment.SkipReason);
        var missing = $"{environment.Registry}/mlops-ci/no-such-base:10.0";

        var failure = await Should.ThrowAsync<MlOpsException>(() => Publisher().PublishAsync(environment.Options() with { BaseImage = missing }));

        output.WriteLine(failure.Message);
        failure.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.BaseImageNotFound);
        failure.Message.ShouldContain(missing);
    }

    [SkippableFact]
    public async Task A_registry_that_refuses_the_push_is_reported_as_asking_for_credentials()
    {
        Skip.If(environment.SkipReason is not null, environment.SkipReason);
        Skip.If(AuthenticatedRegistry.Missing is not null && !ContainerEnvironment.OnCi, AuthenticatedRegistry.Missing);
        using var registry = AuthenticatedRegistry.Start();

        var failure = await Should.ThrowAsync<MlOpsException>(() => Publisher().PublishAsync(environment.Options($"{registry.Address}/acme/churn:2.1.0")));

        failure.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.RegistryUnauthorized);
        failure.Message.ShouldContain(registry.Address);
    }

    private static async Task<JsonElement> ManifestAsync(string image)
    {
        var slash = image.IndexOf('/');
        var colon = image.LastIndexOf(':');
        using var client = new OciRegistryClient(image[..slash]);
        var manifest = (await client.GetManifestAsync(image[(slash + 1)..colon], image[(colon + 1)..])).ShouldNotBeNull();
        return JsonDocument.Parse(manifest.Content).RootElement.Clone();
    }
}
