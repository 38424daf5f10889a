using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MlOps.Ci.Testing;

/// <summary>
/// <c>mlops serve</c> as a child process of the real CLI on a free loopback port, stopped the way a container runtime or
/// systemd stops it (SIGTERM), so the host drains its requests and flushes its request log as in production.
/// </summary>
public sealed class ServingProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;
    private readonly Task<string> _error;

    private ServingProcess(Process process, Uri address)
    {
        _process = process;
        _output = process.StandardOutput.ReadToEndAsync();
        _error = process.StandardError.ReadToEndAsync();
        Client = new HttpClient { BaseAddress = address };
    }

    /// <summary>A client whose base address is the host's.</summary>
    public HttpClient Client { get; }

    /// <summary>The host process's resident memory now, in bytes (Linux: VmRSS of /proc/PID/status).</summary>
    public long ResidentBytes() =>
        long.Parse(File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;

    public static async Task<ServingProcess> StartAsync(string package, string requestLog)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}/");
        var serving = new ServingProcess(MlopsTool.Start(new Dictionary<string, string>(),
            "serve", "--package", package, "--urls", address.ToString().TrimEnd('/'), "--request-log", requestLog), address);
        try
        {
            await serving.WaitUntilReadyAsync();
        }
        catch
        {
            await serving.DisposeAsync();
            throw;
        }
        return serving;
    }

    private async Task WaitUntilReadyAsync()
    {
        // A guard against a host that never comes up (a loaded CI machine may need many seconds), not a timing assertion.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"mlops serve exited with code {_process.ExitCode} before it was ready:\n{await _output}\n{await _error}");
            try
            {
                using var ready = await Client.GetAsync(new Uri("v2/health/ready", UriKind.Relative));
                if (ready.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("mlops serve did not become ready.");
    }

    /// <summary>Sends SIGTERM and waits for the host to drain and exit; returns its exit code and what it printed.</summary>
    public async Task<MlopsTool.Result> StopAsync()
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!)
            await kill.WaitForExitAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await _process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException("mlops serve did not stop after SIGTERM.");
        }
        return new MlopsTool.Result(_process.ExitCode, await _output, await _error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
