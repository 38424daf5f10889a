using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MlOps.Ci.Serving.Tests.Support;

namespace MlOps.Ci.Serving.Tests;

/// <summary>Stopping the host (Ctrl+C, SIGTERM) lets the requests in flight finish, then flushes the request log.</summary>
[Collection(ServingCollection.Name)]
public sealed class ShutdownSpecs(ServingFixture fixture)
{
    [Fact]
    public async Task A_request_in_flight_when_shutdown_begins_is_answered_and_logged()
    {
        var log = fixture.Models.Folder.PathOf($"logs/{Guid.NewGuid():N}.jsonl");
        var rows = EvaluationRows.Of(fixture.Models.Churn).Take(200).ToList();
        var body = Encoding.UTF8.GetBytes(new JsonArray([.. rows.Select(r => r.DeepClone())]).ToJsonString());
        var host = await fixture.StartAsync(fixture.Models.Churn, options => options with { RequestLogPath = log });
        var content = new PausingContent(body);

        // Warm: the connection is open and the endpoint compiled, so the request below reaches the endpoint at once.
        (await host.PostOkAsync("/predict", rows[0])).ShouldNotBeNull();

        var request = host.Client.PostAsync("/predict", content);
        await content.HalfSent.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(200);
        var stopping = host.App.StopAsync();
        await Task.Delay(300);
        stopping.IsCompleted.ShouldBeFalse("shutdown waits for the request in flight");
        content.Resume();
        using var response = await request;
        await stopping;
        await host.DisposeAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["predictions"]!.AsArray().Count.ShouldBe(rows.Count);
        File.ReadAllLines(log).Length.ShouldBe(rows.Count + 1);
    }

    /// <summary>A body sent in two halves, the second only when the test says so.</summary>
    private sealed class PausingContent(byte[] body) : HttpContent
    {
        private readonly TaskCompletionSource _halfSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task HalfSent => _halfSent.Task;

        public void Resume() => _resume.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var half = body.Length / 2;
            await stream.WriteAsync(body.AsMemory(0, half));
            await stream.FlushAsync();
            _halfSent.TrySetResult();
            await _resume.Task;
            await stream.WriteAsync(body.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }
}
