using System.Diagnostics;
using System.Net;
using System.Text;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Core.Tests.Support;

/// <summary>
/// A real CNCF distribution registry (Debian's <c>docker-registry serve</c>) on 127.0.0.1 and a free port, with its own
/// config and storage in a temp folder; started once per test class, killed on dispose. When the tools are missing the
/// tests are skipped by <see cref="RegistryFactAttribute"/> and this fixture does nothing, except on CI (CI=true),
/// where it fails so a runner without a registry cannot pass by skipping.
/// </summary>
public class LocalRegistry : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);
    private readonly TempFolder _folder = new();
    private readonly StringBuilder _log = new();
    private readonly Process? _process;

    public LocalRegistry()
        : this(authenticated: false)
    {
    }

    protected LocalRegistry(bool authenticated)
    {
        Authenticated = authenticated;
        if (RegistryTools.Missing(authenticated) is { } missing)
        {
            if (RegistryTools.OnCi)
                throw new InvalidOperationException($"The registry tests cannot run: {missing} CI=true, so this is a failure rather than a skip.");
            return;
        }
        // A free port can be taken between choosing it and the registry binding it; try a few.
        for (var attempt = 1; _process is null; attempt++)
        {
            Port = Ports.Free();
            var process = Start(authenticated);
            if (WaitUntilAnswering(process))
            {
                _process = process;
            }
            else
            {
                Stop(process);
                if (attempt == 3)
                {
                    _folder.Dispose();
                    throw new InvalidOperationException($"docker-registry did not answer GET /v2/ on {Address} within {StartTimeout.TotalSeconds} s. Its output:\n{Log}");
                }
            }
        }
    }

    public const string UserName = "user";
    public const string Password = "pass";

    public bool Authenticated { get; }

    public int Port { get; private set; }

    /// <summary>host:port, the registry part of an OCI reference.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public Uri BaseAddress => new($"http://{Address}/");

    /// <summary>The registry's own output so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    /// <summary>A base reference for an <see cref="OciModelRegistry"/>: a fresh repository per call, so tests never see each other's tags.</summary>
    public OciReference NewRepository(string prefix = "models") =>
        new(Address, $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);

    /// <summary>A client straight to the registry, for looking at what a push left behind (not the code under test).</summary>
    public HttpClient Client()
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        if (Authenticated)
            client.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{UserName}:{Password}")));
        return client;
    }

    private Process Start(bool authenticated)
    {
        var storage = _folder.PathOf($"storage-{Port}");
        var config = new StringBuilder()
            .AppendLine("version: 0.1")
            .AppendLine("log: {level: warn, accesslog: {disabled: true}}")
            .AppendLine($"storage: {{filesystem: {{rootdirectory: '{storage}'}}, delete: {{enabled: true}}}}")
            .AppendLine($"http: {{addr: '{Address}', secret: test-only-secret}}");
        if (authenticated)
        {
            var htpasswd = RunTool(RegistryTools.HtpasswdBinary, "-Bbn", UserName, Password);
            var passwords = _folder.Write("htpasswd", htpasswd.Trim() + "\n");
            config.AppendLine($"auth: {{htpasswd: {{realm: test, path: '{passwords}'}}}}");
        }
        var configPath = _folder.Write($"config-{Port}.yml", config.ToString());
        var start = new ProcessStartInfo(RegistryTools.Find(RegistryTools.RegistryBinary)!, ["serve", configPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("docker-registry did not start.");
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private bool WaitUntilAnswering(Process process)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < StartTimeout && !process.HasExited)
        {
            try
            {
                // 200, or 401 for the registry with auth: either way it serves the distribution API.
                using var response = client.GetAsync(new Uri(BaseAddress, "v2/")).GetAwaiter().GetResult();
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized
                    && response.Headers.Contains("Docker-Distribution-Api-Version"))
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            Thread.Sleep(50);
        }
        return false;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }

    private static string RunTool(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(RegistryTools.Find(tool)!, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{tool} failed ({process.ExitCode}): {error}");
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }

    public void Dispose()
    {
        if (_process is not null)
            Stop(_process);
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The same registry behind htpasswd (Basic) authentication, user <see cref="LocalRegistry.UserName"/>.</summary>
public sealed class AuthenticatedLocalRegistry() : LocalRegistry(authenticated: true);
