using System.Net;
using System.Net.Sockets;
using System.Text;
using Docker.DotNet.Models;
using MlOps.Ci.Containers.Images;
using MlOps.Ci.Containers.Tests.Support;
using MlOps.Ci.Diagnostics;
using Xunit.Abstractions;

namespace MlOps.Ci.Containers.Tests;

/// <summary>
/// The images run for real: these need <c>mlops serve</c> in the tool that goes into the image, and are skipped (with
/// the reason) while the CLI does not carry the serving host.
/// </summary>
[Collection(ContainerCollection.Name)]
public sealed class ServingSmokeTestSpecs(ContainerEnvironment environment, ITestOutputHelper output)
{
    private ServingImageBuilder Builder() => new(new TestOutputLogger(output), environment.DockerHost);

    private static string? ServingMissing =>
        File.Exists(Path.Combine(RepositoryRoot.AppDirectory, AppFolder.ServingAssembly)) ? null
            : $"The mlops tool in {RepositoryRoot.AppDirectory} has no serving host ({AppFolder.ServingAssembly}) yet, so its images cannot serve.";

    private void SkipUnlessImagesCanServe()
    {
        Skip.If(environment.SkipReason is not null, environment.SkipReason);
        Skip.If(ServingMissing is not null, ServingMissing);
    }

    [SkippableFact]
    public async Task A_published_image_serves_the_package_s_own_predictions_and_is_pushed_only_after_its_smoke_test()
    {
        SkipUnlessImagesCanServe();
        var options = environment.Options() with { SmokeTest = true, Push = true };

        var image = await Builder().PublishAsync(options);

        var smoke = image.SmokeTest.ShouldNotBeNull();
        smoke.Rows.ShouldBe(8);
        smoke.LargestDifference.ShouldBeLessThanOrEqualTo(1e-5);
        image.Digest.ShouldNotBeNull().ShouldStartWith("sha256:");
        (await environment.SmokeTestContainersAsync()).ShouldBe(0);
        output.WriteLine($"Smoke test: {smoke.Rows} rows in {smoke.Seconds:0.0} s; image {image.Size / 1e6:0.0} MB.");
    }

    [SkippableFact]
    public async Task A_pulled_image_answers_rows_from_a_csv_like_the_package_does()
    {
        SkipUnlessImagesCanServe();
        var options = environment.Options() with { SmokeTestData = environment.Models.EvaluationFile, SmokeTestRowLimit = 40 };
        var builder = Builder();
        var image = await builder.BuildAsync(options);
        await builder.PushAsync(image.Reference, options);
        await environment.RemoveImageAsync(image.Reference);
        await environment.PullAsync(image.Reference);

        var smoke = await builder.SmokeTestAsync(image.Reference, options);

        smoke.Rows.ShouldBe(40);
        smoke.LargestDifference.ShouldBeLessThanOrEqualTo(1e-5);
    }

    [SkippableFact]
    public async Task An_image_that_serves_another_model_fails_its_smoke_test_naming_the_row_and_leaves_no_container()
    {
        SkipUnlessImagesCanServe();
        var options = environment.Options();
        var builder = Builder();
        var image = await builder.BuildAsync(options);

        var failure = await Should.ThrowAsync<MlOpsException>(() => builder.SmokeTestAsync(image.Reference,
            options with { PackagePath = environment.Models.OtherPackagePath, SmokeTestData = environment.Models.EvaluationFile }));

        output.WriteLine(failure.Message);
        var diagnostic = failure.Diagnostics[0];
        diagnostic.Code.ShouldBe(DiagnosticCodes.SmokeTestMismatch);
        diagnostic.Message.ShouldContain("for row ");
        diagnostic.Message.ShouldContain("\"Tenure\":");
        diagnostic.Location.ShouldNotBeNull().File.ShouldBe(environment.Models.EvaluationFile);
        diagnostic.Location.Line.ShouldBeGreaterThanOrEqualTo(2);
        (await environment.SmokeTestContainersAsync()).ShouldBe(0);
    }

    [SkippableFact]
    public async Task A_running_image_reports_healthy_through_its_own_health_check_and_writes_its_request_log_as_its_user()
    {
        SkipUnlessImagesCanServe();
        var port = FreePort();
        var image = await Builder().BuildAsync(environment.Options() with { Port = port });
        var container = await environment.Docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = image.Reference,
            Cmd = ["--urls", $"http://127.0.0.1:{port}"],
            HostConfig = new HostConfig { NetworkMode = "host" },
            // The image's own check (mlops probe), run every second rather than every 30.
            Healthcheck = new HealthConfig { Interval = TimeSpan.FromSeconds(1), StartPeriod = 1_000_000_000 },
        });
        try
        {
            await environment.Docker.Containers.StartContainerAsync(container.ID, new ContainerStartParameters());
            Health? health = null;
            for (var attempt = 0; attempt < 60 && health?.Status is not ("healthy" or "unhealthy"); attempt++)
            {
                await Task.Delay(500);
                health = (await environment.Docker.Containers.InspectContainerAsync(container.ID)).State.Health;
            }
            health.ShouldNotBeNull().Status.ShouldBe("healthy", string.Join("\n", health.Log.Select(l => $"{l.ExitCode}: {l.Output}")));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var row = "{\"Tenure\":12,\"MonthlyCharges\":50,\"TotalCharges\":600,\"Contract\":\"One year\",\"Plan\":\"Basic\",\"PaymentMethod\":\"Bank transfer\","
                + "\"InternetService\":\"DSL\",\"Region\":\"South\",\"SeniorCitizen\":false,\"SupportCalls\":1,\"DataUsageGb\":20}";
            using var response = await http.PostAsync($"http://127.0.0.1:{port}/predict", new StringContent(row, Encoding.UTF8, "application/json"));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            await environment.Docker.Containers.StopContainerAsync(container.ID, new ContainerStopParameters { WaitBeforeKillSeconds = 20 });

            var log = (await ImageFiles.ListAsync(environment, container.ID, "/home/app", fromContainer: true)).Single(e => e.Name == "app/mlops-requests.jsonl");
            log.Length.ShouldBeGreaterThan(0);
            (log.Uid, log.Gid).ShouldBe((1654, 1654));
        }
        finally
        {
            await environment.Docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true });
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [SkippableFact]
    public async Task An_image_that_cannot_serve_fails_its_smoke_test_at_once_and_leaves_no_container()
    {
        Skip.If(environment.SkipReason is not null, environment.SkipReason);
        // The base image alone has no mlops tool: the container cannot even start, which must be reported, not waited on.
        var options = environment.Options() with { SmokeTestTimeout = TimeSpan.FromSeconds(20) };

        var failure = await Should.ThrowAsync<MlOpsException>(() => Builder().SmokeTestAsync(environment.BaseImage, options));

        output.WriteLine(failure.Message);
        failure.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.SmokeTestNotReady);
        failure.Message.ShouldContain(environment.BaseImage);
        (await environment.SmokeTestContainersAsync()).ShouldBe(0);
    }
}
