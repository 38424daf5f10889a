using System.Collections.Concurrent;
using System.Net;
using System.Text;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Core.Tests.Support;

/// <summary>One request the proxy saw and the status it answered with.</summary>
public sealed record ProxiedRequest(string Method, string Path, int Status, DateTimeOffset At)
{
    public bool IsBlobUpload => Method == "PUT" && Path.Contains("/blobs/uploads/", StringComparison.Ordinal);
}

/// <summary>
/// A fault injector on 127.0.0.1 in front of a real registry: it forwards every request unchanged (keeping the Host the
/// client used, so the registry's upload Locations point back here) unless a test told it to misbehave: fail upload PUTs,
/// throttle once with Retry-After, forbid everything, alter a blob's bytes, or cut a blob off half-way.
/// </summary>
public sealed class FaultProxy : IDisposable
{
    private static readonly string[] HopHeaders = ["Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Host", "Proxy-Connection", "Upgrade", "Date", "Server"];
    private readonly Uri _upstream;
    private readonly HttpListener _listener;
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, AutomaticDecompression = DecompressionMethods.None });
    private readonly ConcurrentQueue<ProxiedRequest> _requests = new();
    private readonly Task _serving;
    private readonly Lock _faults = new();
    private int _uploadFailures;
    private bool _throttleNext;

    public FaultProxy(Uri upstream)
    {
        _upstream = upstream;
        (_listener, Port) = Listen();
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>403 Forbidden to every request.</summary>
    public bool Forbid { get; set; }

    /// <summary>Blob downloads arrive at full length with one byte flipped.</summary>
    public bool CorruptBlobs { get; set; }

    /// <summary>Blob downloads announce their real Content-Length, send half, and the connection is dropped.</summary>
    public bool TruncateBlobs { get; set; }

    /// <summary>Every request so far, in the order they were answered.</summary>
    public IReadOnlyList<ProxiedRequest> Requests => [.. _requests];

    /// <summary>Answers 500 to the next <paramref name="count"/> blob-upload PUTs (int.MaxValue: all of them).</summary>
    public void FailUploads(int count)
    {
        lock (_faults)
            _uploadFailures = count;
    }

    /// <summary>Answers the next request, whatever it is, with 503 and Retry-After: 1.</summary>
    public void ThrottleOnce()
    {
        lock (_faults)
            _throttleNext = true;
    }

    /// <summary>A base reference through this proxy: a fresh repository per call.</summary>
    public OciReference NewRepository(string prefix = "models") => new(Address, $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Url!.AbsolutePath;
        var body = request.HasEntityBody ? await ReadAllAsync(request.InputStream) : null;
        try
        {
            if (Forbid)
            {
                await AnswerAsync(context, HttpStatusCode.Forbidden, "DENIED", "injected by FaultProxy: forbidden");
                return;
            }
            bool throttle, failUpload = false;
            lock (_faults)
            {
                throttle = _throttleNext;
                _throttleNext = false;
                if (!throttle && request.HttpMethod == "PUT" && path.Contains("/blobs/uploads/", StringComparison.Ordinal) && _uploadFailures > 0)
                {
                    _uploadFailures--;
                    failUpload = true;
                }
            }
            if (throttle)
            {
                response.AddHeader("Retry-After", "1");
                await AnswerAsync(context, HttpStatusCode.ServiceUnavailable, "UNAVAILABLE", "injected by FaultProxy: slow down");
                return;
            }
            if (failUpload)
            {
                await AnswerAsync(context, HttpStatusCode.InternalServerError, "UNKNOWN", "injected by FaultProxy: upload failed");
                return;
            }
            await ForwardAsync(context, body);
        }
        catch (Exception exception) when (exception is HttpListenerException or IOException or ObjectDisposedException or HttpRequestException)
        {
            // The client went away, or the proxy is being disposed.
            response.Abort();
        }
    }

    private async Task ForwardAsync(HttpListenerContext context, byte[]? body)
    {
        var request = context.Request;
        var response = context.Response;
        using var upstream = new HttpRequestMessage(new HttpMethod(request.HttpMethod), new Uri(_upstream, request.RawUrl));
        if (body is not null)
            upstream.Content = new ByteArrayContent(body);
        foreach (var name in request.Headers.AllKeys.OfType<string>().Where(n => !HopHeaders.Contains(n, StringComparer.OrdinalIgnoreCase)))
        {
            var values = request.Headers.GetValues(name) ?? [];
            if (!upstream.Headers.TryAddWithoutValidation(name, values))
                upstream.Content?.Headers.TryAddWithoutValidation(name, values);
        }
        // The registry builds upload Locations from the Host it was asked for: keep them pointing at the proxy.
        upstream.Headers.Host = Address;
        using var answer = await _http.SendAsync(upstream, HttpCompletionOption.ResponseContentRead);
        var content = await answer.Content.ReadAsByteArrayAsync();

        response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers).Where(h => !HopHeaders.Contains(h.Key, StringComparer.OrdinalIgnoreCase)))
        {
            foreach (var value in values)
            {
                if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                    response.ContentType = value;
                else
                    response.AddHeader(name, name.Equals("Location", StringComparison.OrdinalIgnoreCase) ? value.Replace(_upstream.Authority, Address, StringComparison.Ordinal) : value);
            }
        }
        Record(request, response.StatusCode);
        if (request.HttpMethod == "HEAD")
        {
            response.Close();
            return;
        }
        var isBlob = request.HttpMethod == "GET" && request.Url!.AbsolutePath.Contains("/blobs/sha256:", StringComparison.Ordinal) && answer.IsSuccessStatusCode;
        response.ContentLength64 = content.Length;
        if (isBlob && TruncateBlobs)
        {
            await response.OutputStream.WriteAsync(content.AsMemory(0, content.Length / 2));
            await response.OutputStream.FlushAsync();
            response.Abort();
            return;
        }
        if (isBlob && CorruptBlobs && content.Length > 0)
            content[content.Length / 2] ^= 0xFF;
        await response.OutputStream.WriteAsync(content);
        response.Close();
    }

    private async Task AnswerAsync(HttpListenerContext context, HttpStatusCode status, string code, string message)
    {
        var json = Encoding.UTF8.GetBytes($$"""{"errors":[{"code":"{{code}}","message":"{{message}}"}]}""");
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = json.Length;
        Record(context.Request, (int)status);
        await context.Response.OutputStream.WriteAsync(json);
        context.Response.Close();
    }

    private void Record(HttpListenerRequest request, int status) =>
        _requests.Enqueue(new ProxiedRequest(request.HttpMethod, request.Url!.AbsolutePath, status, DateTimeOffset.UtcNow));

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static (HttpListener, int) Listen()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = Ports.Free();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
        _http.Dispose();
    }
}
