using Docker.DotNet;
using Docker.DotNet.Models;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Containers.Engine;

/// <summary>
/// The Docker Engine API at DOCKER_HOST (<c>unix:///var/run/docker.sock</c> by default; <c>tcp://</c> too), checked with
/// a ping before any work so a missing engine is one clear error rather than a socket exception mid-build.
/// </summary>
internal static class DockerEngine
{
    public const string DefaultHost = "unix:///var/run/docker.sock";
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(10);

    public static string Host(string? host) =>
        host is { Length: > 0 } ? host : Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } configured ? configured : DefaultHost;

    public static async Task<DockerClient> ConnectAsync(string? host, CancellationToken cancellationToken)
    {
        var endpoint = Host(host);
        DockerClient client;
        try
        {
            client = new DockerClientConfiguration(new Uri(endpoint)).CreateClient();
        }
        catch (UriFormatException exception)
        {
            throw Unreachable(endpoint, exception.Message);
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(PingTimeout);
            await client.System.PingAsync(timeout.Token);
            return client;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or TimeoutException or DockerApiException
            or System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw Unreachable(endpoint, exception is OperationCanceledException ? $"no answer within {PingTimeout.TotalSeconds:0} s" : Innermost(exception).Message);
        }
    }

    /// <summary>The registry credentials Core finds (MLOPS_REGISTRY_*, Docker config, credential helpers) in the engine's form.</summary>
    public static AuthConfig AuthFor(string? registry)
    {
        // The engine knows Docker Hub by its legacy index address, in auth headers as in ~/.docker/config.json.
        var server = registry is "docker.io" or "registry-1.docker.io" ? "https://index.docker.io/v1/" : registry;
        if (registry is null || RegistryCredentials.For(registry) is not { } credential)
            return new AuthConfig { ServerAddress = server };
        return credential.UserName.Length == 0
            ? new AuthConfig { ServerAddress = server, IdentityToken = credential.Secret }
            : new AuthConfig { ServerAddress = server, Username = credential.UserName, Password = credential.Secret };
    }

    /// <summary>The engine's own message from an API error body (<c>{"message": "…"}</c>), or the body itself.</summary>
    public static string ApiMessage(DockerApiException exception)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(exception.ResponseBody ?? "");
            if (json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && json.RootElement.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return string.IsNullOrWhiteSpace(exception.ResponseBody) ? exception.Message : exception.ResponseBody.Trim();
    }

    public static bool HasCredentials(AuthConfig auth) => !string.IsNullOrEmpty(auth.Password) || !string.IsNullOrEmpty(auth.IdentityToken);

    private static MlOpsException Unreachable(string endpoint, string reason) => MlOpsException.Of(DiagnosticCodes.EngineUnreachable,
        $"No Docker engine answers at {endpoint}: {reason}", null,
        "Start Docker (or Podman's Docker-compatible socket) and check DOCKER_HOST; on a runner without an engine, publish daemonless with the registry path instead.");

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
            exception = exception.InnerException;
        return exception;
    }
}
