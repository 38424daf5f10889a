using MlOps.Ci.Containers.Images;
using MlOps.Ci.Containers.Tests.Support;
using MlOps.Ci.Diagnostics;
using Xunit.Abstractions;

namespace MlOps.Ci.Containers.Tests;

[Collection(ContainerCollection.Name)]
public sealed class ServingImageBuilderSpecs(ContainerEnvironment environment, ITestOutputHelper output)
{
    private ServingImageBuilder Builder() => new(new TestOutputLogger(output), environment.DockerHost);

    [SkippableFact]
    public async Task I_can_build_a_serving_image_labelled_with_the_model_that_runs_as_a_non_root_user()
    {
        Skip.If(environment.SkipReason is not null, environment.SkipReason);
        var card = environment.Models.Package.Card;

        var image = await Builder().BuildAsync(environment.Options());

        var config = (await environment.InspectAsync(image.Reference)).ShouldNotBeNull().Config;
        config.Labels["io.mlops-ci.model.fingerprint"].ShouldBe(card.Fingerprints.Model);
        config.Labels["io.mlops-ci.model.name"].ShouldBe("churn");
        config.Labels["io.mlops-ci.model.version"].ShouldBe("2.1.0");
        config.Labels["io.mlops-ci.model.task"].ShouldBe("BinaryClassification");
        config.Labels["org.opencontainers.image.title"].ShouldBe("churn");
        config.Labels["org.opencontainers.image.version"].ShouldBe("2.1.0");
        DateTimeOffset.Parse(config.Labels["org.opencontainers.image.created"], System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-10));
        config.User.ShouldBe("1654");
        config.WorkingDir.ShouldBe("/home/app");
        config.Entrypoint.ShouldBe(["dotnet", "/app/mlops.dll", "serve", "--package", "/model/model.mlpkg"]);
        config.Cmd.ShouldBe(["--urls", "http://0.0.0.0:8080"]);
        config.ExposedPorts.Keys.ShouldBe(["8080/tcp"]);
        config.Healthcheck.Test.ShouldBe(["CMD", "dotnet", "/app/mlops.dll", "probe", "http://127.0.0.1:8080/v2/health/ready"]);
        image.ImageId.ShouldStartWith("sha256:");
        output.WriteLine($"Image size: {image.Size / 1e6:0.0} MB (base image {(await environment.InspectAsync(environment.BaseImage))!.Size / 1e6:0.0} MB).");
    }

    [SkippableFact]
    public async Task The_image_holds_the_tool_for_linux_x64_only_and_the_tool_reads_the_package_in_it()
    {
        Skip.If(environment.SkipReason is not null, environment.SkipReason);
        var image = await Builder().BuildAsync(environment.Options());

        var runtimes = await ImageFiles.ListAsync(environment, image.Reference, "/app/runtimes");
        runtimes.Select(e => e.Name.Split('/')[1]).Where(n => n.Length > 0).Distinct().ShouldBe(["linux-x64"]);
        runtimes.ShouldContain(e => e.Name == "runtimes/linux-x64/native/libonnxruntime.so");
        var home = (await ImageFiles.ListAsync(environment, image.Reference, "/home/app")).First();
        (home.Uid, home.Gid).ShouldBe((1654, 1654));

        var (exitCode, text) = await environment.RunAsync(image.Reference, "dotnet", "/app/mlops.dll", "inspect", "/model/model.mlpkg");
        exitCode.ShouldBe(0, text);
        text.ShouldContain(environment.Models.Package.Card.Fingerprints.Model);
    }

    [SkippableFact]
    public async Task I_can_push_the_image_and_pull_it_back_with_its_labels_under_every_tag()
    {
        Skip.If(environment.SkipReason is not null, environment.SkipReason);
        var options = environment.Options() with { AdditionalTags = ["latest"] };
        var builder = Builder();
        var image = await builder.BuildAsync(options);

        var digest = await builder.PushAsync(image.Reference, options);

        digest.ShouldNotBeNull().ShouldStartWith("sha256:");
        var repository = image.Reference[..image.Reference.LastIndexOf(':')];
        await environment.RemoveImageAsync(image.Reference);
        await environment.RemoveImageAsync($"{repository}:latest");
        (await environment.InspectAsync(image.Reference)).ShouldBeNull();
        await environment.PullAsync(image.Reference);
        await environment.PullAsync($"{repository}:latest");
        var pulled = (await environment.InspectAsync(image.Reference)).ShouldNotBeNull();
        pulled.ID.ShouldBe(image.ImageId);
        pulled.RepoDigests.ShouldContain($"{repository}@{digest}");
        pulled.RepoTags.ShouldBe([$"{repository}:latest", image.Reference], ignoreOrder: true);
        pulled.Config.Labels["io.mlops-ci.model.fingerprint"].ShouldBe(environment.Models.Package.Card.Fingerprints.Model);
    }

    [SkippableFact]
    public async Task A_push_the_registry_refuses_says_so_and_succeeds_with_the_credentials_from_the_environment()
    {
        Skip.If(environment.SkipReason is not null, environment.SkipReason);
        Skip.If(AuthenticatedRegistry.Missing is not null && !ContainerEnvironment.OnCi, AuthenticatedRegistry.Missing);
        using var registry = AuthenticatedRegistry.Start();
        var options = environment.Options(environment.Track($"{registry.Address}/acme/churn:2.1.0"));
        var builder = Builder();
        var image = await builder.BuildAsync(options);

        var refused = await Should.ThrowAsync<MlOpsException>(() => builder.PushAsync(image.Reference, options));

        output.WriteLine(refused.Message);
        refused.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.ImagePushRefused);
        refused.Message.ShouldContain(registry.Address);
        refused.Message.ShouldContain("no credentials were found");
        using (new EnvironmentVariables(("MLOPS_REGISTRY_USERNAME", AuthenticatedRegistry.UserName), ("MLOPS_REGISTRY_PASSWORD", "wrong")))
        {
            var rejected = await Should.ThrowAsync<MlOpsException>(() => builder.PushAsync(image.Reference, options));
            rejected.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.ImagePushRefused);
            rejected.Message.ShouldContain("credentials were found and sent");
        }
        using (new EnvironmentVariables(("MLOPS_REGISTRY_USERNAME", AuthenticatedRegistry.UserName), ("MLOPS_REGISTRY_PASSWORD", AuthenticatedRegistry.Password)))
            (await builder.PushAsync(image.Reference, options)).ShouldNotBeNull().ShouldStartWith("sha256:");
    }

    [SkippableFact]
    public async Task A_base_image_that_cannot_be_pulled_is_named_in_the_error()
    {
        Skip.If(environment.SkipReason is not null, environment.SkipReason);
        var missing = $"{environment.Registry}/mlops-ci/no-such-base:10.0";

        var failure = await Should.ThrowAsync<MlOpsException>(() => Builder().BuildAsync(environment.Options() with { BaseImage = missing }));

        output.WriteLine(failure.Message);
        failure.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.BaseImageNotFound);
        failure.Message.ShouldContain(missing);
        failure.Message.ShouldContain("not found");
    }

    [Fact]
    public async Task Without_an_engine_the_error_says_where_it_looked()
    {
        var options = new ServingImageOptions(environment.Models.PackagePath) { AppDirectory = RepositoryRoot.AppDirectory, Image = "127.0.0.1:1/acme/churn:1" };

        var failure = await Should.ThrowAsync<MlOpsException>(() => new ServingImageBuilder(dockerHost: "unix:///nonexistent/docker.sock").BuildAsync(options));

        failure.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.EngineUnreachable);
        failure.Message.ShouldContain("unix:///nonexistent/docker.sock");
    }

    [Fact]
    public async Task A_folder_without_the_mlops_tool_is_refused_before_anything_is_built()
    {
        using var empty = new TempFolder();
        var options = new ServingImageOptions(environment.Models.PackagePath) { AppDirectory = empty.Root };

        var failure = await Should.ThrowAsync<MlOpsException>(() => new ServingImageBuilder(dockerHost: "unix:///nonexistent/docker.sock").BuildAsync(options));

        failure.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.ServingAppMissing);
        failure.Message.ShouldContain(empty.Root);
    }

    [Fact]
    public void The_Dockerfile_runs_no_command_and_quotes_what_the_model_card_says()
    {
        var card = environment.Models.Package.Card with { Name = "say \"hi\" for $5\\" };
        var recipe = ServingImageRecipe.For(new ServingImageOptions("p.mlpkg") { Image = "ghcr.io/acme/churn:1.0.0" }, card, DateTimeOffset.UnixEpoch);

        var dockerfile = Engine.BuildContext.Dockerfile(recipe, card.Name);

        dockerfile.ShouldContain("FROM mcr.microsoft.com/dotnet/aspnet:10.0\n");
        dockerfile.ShouldNotContain("RUN ");
        dockerfile.ShouldContain("io.mlops-ci.model.name=\"say \\\"hi\\\" for \\$5\\\\\" \\\n");
        dockerfile.Split('\n').Count(line => line.StartsWith("LABEL ", StringComparison.Ordinal)).ShouldBe(1);
        dockerfile.ShouldContain("USER 1654\n");
        dockerfile.ShouldContain("ENTRYPOINT [\"dotnet\",\"/app/mlops.dll\",\"serve\",\"--package\",\"/model/model.mlpkg\"]");
    }

    [Fact]
    public void An_image_is_named_after_the_model_in_the_registry_unless_named_explicitly()
    {
        var card = environment.Models.Package.Card with { Name = "Churn Model", Version = "2.1.0+build.5" };

        ServingImageRecipe.For(new ServingImageOptions("p") { Registry = "ghcr.io/acme/" }, card, DateTimeOffset.UnixEpoch).Image.ToString()
            .ShouldBe("ghcr.io/acme/churn-model:2.1.0-build.5");
        ServingImageRecipe.For(new ServingImageOptions("p") { Registry = "ghcr.io", Image = "localhost:5000/x/y:z" }, card, DateTimeOffset.UnixEpoch).Image.ToString()
            .ShouldBe("localhost:5000/x/y:z");
        ImageName.Parse("ubuntu", "base image").ShouldBe(new ImageName(null, "ubuntu", "latest"));
        ImageName.Parse("ubuntu", "base image").ApiRepository.ShouldBe("library/ubuntu");
        ImageName.Parse("127.0.0.1:5050/mlops-ci/aspnet-base:10.0", "base image").ShouldBe(new ImageName("127.0.0.1:5050", "mlops-ci/aspnet-base", "10.0"));
        Should.Throw<MlOpsException>(() => ImageName.Parse("ghcr.io/Acme/churn", "image name")).Diagnostics[0].Code.ShouldBe(DiagnosticCodes.ImageReferenceInvalid);
    }
}
