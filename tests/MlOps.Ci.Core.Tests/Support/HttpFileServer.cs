using System.Collections.Concurrent;
using System.Net;

namespace MlOps.Ci.Core.Tests.Support;

/// <summary>Remote data for tests: files served over HTTP on 127.0.0.1, changed at will by <see cref="Serve"/>.</summary>
public sealed class HttpFileServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly Task _serving;
    private int _downloads;

    public HttpFileServer()
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = Ports.Free();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }
        _serving = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>How many files were sent (200 answers).</summary>
    public int Downloads => _downloads;

    /// <summary>Serves <paramref name="content"/> at <paramref name="path"/> (e.g. "data/train.csv") from now on; returns its URL.</summary>
    public string Serve(string path, byte[] content)
    {
        _files[path.TrimStart('/')] = content;
        return UrlOf(path);
    }

    public string UrlOf(string path) => $"http://127.0.0.1:{Port}/{path.TrimStart('/')}";

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
            try
            {
                var response = context.Response;
                if (_files.TryGetValue(context.Request.Url!.AbsolutePath.TrimStart('/'), out var content))
                {
                    Interlocked.Increment(ref _downloads);
                    response.ContentType = "text/csv";
                    response.ContentLength64 = content.Length;
                    await response.OutputStream.WriteAsync(content);
                }
                else
                {
                    response.StatusCode = 404;
                }
                response.Close();
            }
            catch (Exception exception) when (exception is HttpListenerException or IOException)
            {
                context.Response.Abort();
            }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
