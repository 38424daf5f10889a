using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using MlOps.Ci.Containers.Images;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Containers.SmokeTesting;

/// <summary>
/// Runs a serving image the way a user would and checks it serves the package: the container joins the host network
/// (port mappings need a bridge, which an engine started with --bridge=none lacks) and is told to listen on a free
/// loopback port, so nothing is exposed beyond this machine.
/// </summary>
internal sealed class ServingSmokeTest(DockerClient docker, ILogger logger)
{
    public const string Label = "io.mlops-ci.smoke-test";
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public async Task<SmokeTestResult> RunAsync(string image, SmokeRows rows, ExpectedPredictions expected, ServingImageOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var port = FreeLoopbackPort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = $"mlops-smoke-{Guid.NewGuid():N}"[..24],
            Image = image,
            Cmd = [.. ServingImageRecipe.UrlsArguments(baseAddress.ToString().TrimEnd('/'))],
            Labels = new Dictionary<string, string> { [Label] = "true" },
            HostConfig = new HostConfig { NetworkMode = "host" },
            // The image's own health check probes its default port, which this container does not listen on.
            Healthcheck = new HealthConfig { Test = ["NONE"] },
        }, cancellationToken);
        var id = created.ID;
        try
        {
            try
            {
                await docker.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);
            }
            catch (DockerApiException exception)
            {
                throw MlOpsException.Of(DiagnosticCodes.SmokeTestNotReady,
                    $"Smoke test of {image} failed: the container could not start: {Engine.DockerEngine.ApiMessage(exception)}", null,
                    "The image's entrypoint must be the mlops tool (dotnet /app/mlops.dll serve …); rebuild it from a model package.");
            }
            using var http = new HttpClient { BaseAddress = baseAddress, Timeout = RequestTimeout };
            await WaitUntilReadyAsync(http, id, image, options.SmokeTestTimeout, cancellationToken);
            logger.LogInformation("Smoke test: {Image} is ready on {Address} after {Seconds:0.0} s; sending {Rows} rows from {Source}.",
                image, baseAddress, clock.Elapsed.TotalSeconds, rows.Count, rows.Source);

            using var content = new ByteArrayContent(rows.ToRequestBody()) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
            using var response = await http.PostAsync("predict", content, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw MlOpsException.Of(DiagnosticCodes.SmokeTestRequestFailed,
                    $"Smoke test of {image} failed: POST /predict with {rows.Count} rows from {rows.Source} answered {(int)response.StatusCode} {response.ReasonPhrase}: {Shorten(body)}", null,
                    "The image's host rejected rows the package's model accepts: rebuild the image with an mlops version that matches the package.");
            }
            using var json = ParseAnswer(body, image);
            var largest = expected.Compare(json.RootElement, options.Tolerance, image);
            logger.LogInformation("Smoke test passed: {Rows} predictions of {Image} match the package's ONNX model (largest difference {Difference:G3}) in {Seconds:0.0} s.",
                rows.Count, image, largest, clock.Elapsed.TotalSeconds);
            return new SmokeTestResult(rows.Count, largest, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            await RemoveAsync(id);
        }
    }

    private async Task WaitUntilReadyAsync(HttpClient http, string id, string image, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string? lastAnswer = null;
        while (true)
        {
            var state = (await docker.Containers.InspectContainerAsync(id, cancellationToken)).State;
            if (!state.Running)
            {
                throw MlOpsException.Of(DiagnosticCodes.SmokeTestNotReady,
                    $"Smoke test of {image} failed: the container exited with code {state.ExitCode} before it was ready. Its output:\n{await LogsAsync(id)}", null,
                    "The base image must hold the ASP.NET Core 10 runtime, and the mlops tool in the image must have 'serve'.");
            }
            try
            {
                using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, probe.Token);
                using var response = await http.GetAsync("v2/health/ready", linked.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
                lastAnswer = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (HttpRequestException exception)
            {
                lastAnswer = exception.Message;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lastAnswer = "no answer within 2 s";
            }
            if (clock.Elapsed > timeout)
            {
                throw MlOpsException.Of(DiagnosticCodes.SmokeTestNotReady,
                    $"Smoke test of {image} failed: GET /v2/health/ready did not answer 200 within {timeout.TotalSeconds:0} s (last: {lastAnswer}). Its output:\n{await LogsAsync(id)}", null,
                    "A large model can take longer to load: raise the smoke-test timeout. Otherwise the output above says why the host did not start.");
            }
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    private static JsonDocument ParseAnswer(string body, string image)
    {
        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException exception)
        {
            throw MlOpsException.Of(DiagnosticCodes.SmokeTestRequestFailed,
                $"Smoke test of {image} failed: /predict answered something that is not JSON ({exception.Message}): {Shorten(body)}", null,
                "Rebuild the image with an mlops version that matches the package.");
        }
    }

    /// <summary>The last lines the container wrote, for a failure message; never fails itself.</summary>
    private async Task<string> LogsAsync(string id)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var stream = await docker.Containers.GetContainerLogsAsync(id, false,
                new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = "40" }, timeout.Token);
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(timeout.Token);
            var text = (stdout + stderr).Trim();
            return text.Length == 0 ? "(nothing)" : text;
        }
        catch (Exception exception) when (exception is DockerApiException or IOException or HttpRequestException or OperationCanceledException)
        {
            return $"(its output could not be read: {exception.Message})";
        }
    }

    /// <summary>Stops and removes the container with a bounded wait of its own, so a cancelled run leaves nothing behind.</summary>
    private async Task RemoveAsync(string id)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await docker.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, timeout.Token);
        }
        catch (Exception exception) when (exception is DockerApiException or IOException or HttpRequestException or OperationCanceledException)
        {
            logger.LogWarning("Could not remove the smoke-test container {Id}: {Message}", id, exception.Message);
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Shorten(string text) => text.Length > 500 ? text[..500] + "…" : text;
}
