using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MlOps.Ci.Containers.Tests.Support;

/// <summary>
/// A second loopback registry (Debian's docker-registry) behind htpasswd Basic authentication, for pushes that must be
/// refused; started per test and killed on dispose. Needs htpasswd (apache2-utils), which build/build.sh installs.
/// </summary>
public sealed class AuthenticatedRegistry : IDisposable
{
    public const string UserName = "pusher";
    public const string Password = "s3cret";
    private readonly TempFolder _folder;
    private readonly Process _process;

    private AuthenticatedRegistry(int port, Process process, TempFolder folder)
    {
        Port = port;
        _process = process;
        _folder = folder;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Why it cannot run here, or null.</summary>
    public static string? Missing => Find("docker-registry") is null || Find("htpasswd") is null
        ? "docker-registry and htpasswd are needed (apt-get install docker-registry apache2-utils)." : null;

    public static AuthenticatedRegistry Start()
    {
        var folder = new TempFolder();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var hash = Run(Find("htpasswd")!, "-Bbn", UserName, Password).Trim();
        var passwords = folder.Write("htpasswd", hash + "\n");
        var config = folder.Write("config.yml", string.Join("\n",
            "version: 0.1",
            "log: {level: warn, accesslog: {disabled: true}}",
            $"storage: {{filesystem: {{rootdirectory: '{folder.PathOf("storage")}'}}}}",
            $"http: {{addr: '127.0.0.1:{port}', secret: test-only}}",
            $"auth: {{htpasswd: {{realm: test, path: '{passwords}'}}}}") + "\n");
        var process = Process.Start(new ProcessStartInfo(Find("docker-registry")!, ["serve", config]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new AuthenticatedRegistry(port, process, folder);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                using var response = http.GetAsync($"http://127.0.0.1:{port}/v2/").GetAwaiter().GetResult();
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                    return registry;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
            }
            Thread.Sleep(50);
        }
        registry.Dispose();
        throw new InvalidOperationException($"The authenticated registry did not answer on port {port} within 20 s.");
    }

    private static string Run(string tool, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{tool} failed: {process.StandardError.ReadToEnd()}");
    }

    private static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, tool)).FirstOrDefault(File.Exists);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        _folder.Dispose();
    }
}
