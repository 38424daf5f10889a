using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace MlOps.Ci.Registry;

/// <summary>A user name and secret for a registry; for a bearer identity token the user name is empty.</summary>
public sealed record RegistryCredential(string UserName, string Secret)
{
    public string BasicValue => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{UserName}:{Secret}"));

    public override string ToString() => $"{UserName}:***";
}

/// <summary>
/// Finds credentials where CI systems and developers already keep them: <c>MLOPS_REGISTRY_USERNAME</c> /
/// <c>MLOPS_REGISTRY_PASSWORD</c> (e.g. a GitHub token for ghcr.io), then the Docker configuration
/// (<c>$DOCKER_CONFIG/config.json</c> or <c>~/.docker/config.json</c>): inline <c>auths</c>, <c>credHelpers</c> and
/// <c>credsStore</c>, the way docker login, az acr login and the GitHub Actions login step write them.
/// </summary>
public static class RegistryCredentials
{
    public static RegistryCredential? For(string registry)
    {
        var user = Environment.GetEnvironmentVariable("MLOPS_REGISTRY_USERNAME");
        var password = Environment.GetEnvironmentVariable("MLOPS_REGISTRY_PASSWORD");
        if (!string.IsNullOrEmpty(password))
            return new RegistryCredential(user ?? "", password);
        try
        {
            return FromDockerConfig(registry);
        }
        catch (Exception exception) when (exception is InvalidOperationException or FormatException)
        {
            // A config.json damaged by hand (an auth that is not base64, an entry that is not an object) gives no
            // credentials, as one that is not JSON does, rather than failing every registry operation before it starts.
            return null;
        }
    }

    internal static string DockerConfigPath =>
        Path.Combine(Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } folder
            ? folder
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker"), "config.json");

    private static RegistryCredential? FromDockerConfig(string registry)
    {
        var path = DockerConfigPath;
        if (!File.Exists(path))
            return null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.TryGetProperty("credHelpers", out var helpers) && helpers.TryGetProperty(registry, out var helper) && helper.GetString() is { Length: > 0 } name)
                return FromHelper(name, registry);
            if (root.TryGetProperty("auths", out var auths))
            {
                foreach (var entry in auths.EnumerateObject())
                {
                    if (!SameRegistry(entry.Name, registry))
                        continue;
                    if (entry.Value.TryGetProperty("identitytoken", out var token) && token.GetString() is { Length: > 0 } identity)
                        return new RegistryCredential("", identity);
                    if (entry.Value.TryGetProperty("auth", out var auth) && auth.GetString() is { Length: > 0 } encoded)
                    {
                        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
                        var colon = decoded.IndexOf(':');
                        if (colon > 0)
                            return new RegistryCredential(decoded[..colon], decoded[(colon + 1)..]);
                    }
                }
            }
            if (root.TryGetProperty("credsStore", out var store) && store.GetString() is { Length: > 0 } storeName)
                return FromHelper(storeName, registry);
        }
        return null;
    }

    private static bool SameRegistry(string configured, string registry)
    {
        var host = configured.Replace("https://", "", StringComparison.OrdinalIgnoreCase).Replace("http://", "", StringComparison.OrdinalIgnoreCase);
        var slash = host.IndexOf('/');
        if (slash >= 0)
            host = host[..slash];
        return string.Equals(host, registry, StringComparison.OrdinalIgnoreCase)
            || (registry == "docker.io" && host == "index.docker.io");
    }

    /// <summary>Runs <c>docker-credential-NAME get</c>, the credential-helper protocol Docker defines.</summary>
    private static RegistryCredential? FromHelper(string name, string registry)
    {
        try
        {
            var start = new ProcessStartInfo($"docker-credential-{name}", "get")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start);
            if (process is null)
                return null;
            process.StandardInput.Write(registry);
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)) || process.ExitCode != 0)
                return null;
            using var json = JsonDocument.Parse(output);
            var user = json.RootElement.GetProperty("Username").GetString() ?? "";
            var secret = json.RootElement.GetProperty("Secret").GetString() ?? "";
            return new RegistryCredential(user == "<token>" ? "" : user, secret);
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}
