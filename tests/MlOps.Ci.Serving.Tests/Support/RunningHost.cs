using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;

namespace MlOps.Ci.Serving.Tests.Support;

/// <summary>
/// A real host on Kestrel at a free 127.0.0.1 port (port 0: the kernel picks, so parallel runs never collide), and a
/// client for it. Disposing stops it the way Ctrl+C would: requests in flight finish, the request log is flushed.
/// </summary>
public sealed class RunningHost : IAsyncDisposable
{
    private bool _stopped;

    private RunningHost(WebApplication app, CapturingLoggerProvider logs)
    {
        App = app;
        Logs = logs;
        Address = new Uri(app.Urls.Single());
        Client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }
    public CapturingLoggerProvider Logs { get; }
    public Uri Address { get; }
    public HttpClient Client { get; }

    public static async Task<RunningHost> StartAsync(ServingOptions options)
    {
        var logs = new CapturingLoggerProvider();
        var app = ModelHost.Build(options with { Urls = "http://127.0.0.1:0" }, logs);
        await app.StartAsync();
        return new RunningHost(app, logs);
    }

    public Task<HttpResponseMessage> PostAsync(string path, string json, string? requestId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (requestId is not null)
            request.Headers.Add("X-Request-Id", requestId);
        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostAsync(string path, JsonNode json, string? requestId = null) => PostAsync(path, json.ToJsonString(), requestId);

    /// <summary>Posts and expects 200; returns the parsed body.</summary>
    public async Task<JsonNode> PostOkAsync(string path, JsonNode json, string? requestId = null)
    {
        using var response = await PostAsync(path, json, requestId);
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(200, body);
        return JsonNode.Parse(body)!;
    }

    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(200, body);
        response.Content.Headers.ContentType.ShouldBe(new MediaTypeHeaderValue("application/json"));
        return JsonNode.Parse(body)!;
    }

    public async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        await App.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await App.DisposeAsync();
        Client.Dispose();
    }
}
