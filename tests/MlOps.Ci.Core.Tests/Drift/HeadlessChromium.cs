using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MlOps.Ci.Core.Tests.Drift;

/// <summary>
/// A real headless Chromium (Debian's <c>chromium</c>) driven over the DevTools protocol on a plain WebSocket: one page,
/// every console message, page error and browser log entry recorded. The flags are the ones that work on a machine
/// without a network (no background fetches, a fresh profile).
/// </summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempFolder _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly List<JsonElement> _events = [];
    private readonly SemaphoreSlim _eventArrived = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;
    private int _nextId;
    private string _session = "";

    private HeadlessChromium(Process process, TempFolder profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>The browser: $CHROMIUM, else chromium on PATH, else null.</summary>
    public static string? Executable =>
        Environment.GetEnvironmentVariable("CHROMIUM") is { Length: > 0 } configured && File.Exists(configured) ? configured
        : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "chromium")).FirstOrDefault(File.Exists);

    /// <summary>Messages that mean the page is broken: console errors, uncaught exceptions, failed loads.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_events)
            {
                return _events.Select(ErrorOf).OfType<string>().ToList();
            }
        }
    }

    public static async Task<HeadlessChromium> StartAsync(string executable)
    {
        var profile = new TempFolder();
        var start = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var flag in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-extensions", "--remote-debugging-port=0", "--remote-allow-origins=*",
                     $"--user-data-dir={profile.Root}", "about:blank"])
            start.ArgumentList.Add(flag);
        var process = Process.Start(start)!;
        var browser = new HeadlessChromium(process, profile);
        try
        {
            _ = process.StandardOutput.ReadToEndAsync();
            // Chromium says where its DevTools endpoint listens on stderr; a guard, far above a start's length, against one that never does.
            using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            string? endpoint = null;
            var said = new StringBuilder();
            while (endpoint is null && await process.StandardError.ReadLineAsync(guard.Token) is { } line)
            {
                said.AppendLine(line);
                if (ListeningLine().Match(line) is { Success: true } match)
                    endpoint = match.Groups["url"].Value;
            }
            if (endpoint is null)
                throw new InvalidOperationException($"Chromium exited without a DevTools endpoint:\n{said}");
            // Keep draining stderr so the browser never blocks on a full pipe.
            _ = process.StandardError.ReadToEndAsync();
            await browser.ConnectAsync(new Uri(endpoint));
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    private async Task ConnectAsync(Uri endpoint)
    {
        await _socket.ConnectAsync(endpoint, _stop.Token);
        _receiving = Task.Run(ReceiveAsync);
        var target = await SendAsync("Target.createTarget", new { url = "about:blank" }, session: null);
        var attached = await SendAsync("Target.attachToTarget", new { targetId = target.GetProperty("targetId").GetString(), flatten = true }, session: null);
        _session = attached.GetProperty("sessionId").GetString()!;
        await SendAsync("Runtime.enable");
        await SendAsync("Log.enable");
        await SendAsync("Page.enable");
    }

    /// <summary>Navigates to the file and waits for its load event.</summary>
    public async Task OpenAsync(string path)
    {
        var seen = EventCount;
        var navigation = await SendAsync("Page.navigate", new { url = new Uri(path).AbsoluteUri });
        if (navigation.TryGetProperty("errorText", out var error))
            throw new InvalidOperationException($"Chromium could not open {path}: {error.GetString()}");
        await WaitForEventAsync("Page.loadEventFired", seen);
    }

    /// <summary>Evaluates a JavaScript expression in the page and returns its value (JSON-serializable values only).</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        if (result.TryGetProperty("exceptionDetails", out var exception))
            throw new InvalidOperationException($"The page threw evaluating {expression}: {exception}");
        return result.GetProperty("result").GetProperty("value");
    }

    private int EventCount
    {
        get
        {
            lock (_events)
                return _events.Count;
        }
    }

    private async Task WaitForEventAsync(string method, int after)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            lock (_events)
            {
                if (_events.Skip(after).Any(e => e.GetProperty("method").GetString() == method))
                    return;
            }
            await _eventArrived.WaitAsync(guard.Token);
        }
    }

    private Task<JsonElement> SendAsync(string method, object? parameters = null) => SendAsync(method, parameters, _session);

    private async Task<JsonElement> SendAsync(string method, object? parameters, string? session)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new Dictionary<string, object?> { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new { } };
        if (session is not null)
            message["sessionId"] = session;
        await _socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message), WebSocketMessageType.Text, endOfMessage: true, _stop.Token);
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return await reply.Task.WaitAsync(guard.Token);
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                    break;
                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                    continue;
                var root = JsonDocument.Parse(message.ToArray()).RootElement.Clone();
                message.SetLength(0);
                if (root.TryGetProperty("id", out var id) && _pending.TryRemove(id.GetInt32(), out var reply))
                {
                    if (root.TryGetProperty("error", out var error))
                        reply.TrySetException(new InvalidOperationException($"DevTools error: {error}"));
                    else
                        reply.TrySetResult(root.GetProperty("result"));
                }
                else if (root.TryGetProperty("method", out _))
                {
                    lock (_events)
                        _events.Add(root);
                    _eventArrived.Release();
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
        }
        foreach (var pending in _pending.Values)
            pending.TrySetException(new InvalidOperationException("The DevTools connection closed."));
    }

    private static string? ErrorOf(JsonElement message)
    {
        var parameters = message.TryGetProperty("params", out var p) ? p : default;
        return message.GetProperty("method").GetString() switch
        {
            "Runtime.exceptionThrown" => $"page error: {parameters.GetProperty("exceptionDetails")}",
            "Runtime.consoleAPICalled" when parameters.GetProperty("type").GetString() is "error" or "assert" => $"console.{parameters.GetProperty("type").GetString()}: {parameters.GetProperty("args")}",
            "Log.entryAdded" when parameters.GetProperty("entry").GetProperty("level").GetString() == "error" => $"log: {parameters.GetProperty("entry")}",
            _ => null,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _receiving;
        }
        catch (OperationCanceledException)
        {
        }
        _socket.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        _profile.Dispose();
        _stop.Dispose();
        _eventArrived.Dispose();
    }

    [GeneratedRegex("DevTools listening on (?<url>ws://\\S+)")]
    private static partial Regex ListeningLine();
}
