namespace MlOps.Ci.Core.Tests.Support;

/// <summary>
/// Whether the tools the registry tests run are here: Debian's <c>docker-registry</c> (CNCF distribution) and, for the
/// authenticated registry, <c>htpasswd</c> (apache2-utils). On CI (CI=true) a missing tool is a failure, never a skip.
/// </summary>
public static class RegistryTools
{
    public const string RegistryBinary = "docker-registry";
    public const string HtpasswdBinary = "htpasswd";
    public const string InstallHint = "apt-get install -y docker-registry apache2-utils";

    public static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>What is missing, as a sentence, or null when everything the registry (with or without auth) needs is on PATH.</summary>
    public static string? Missing(bool authenticated)
    {
        var missing = new[] { RegistryBinary }.Concat(authenticated ? [HtpasswdBinary] : Array.Empty<string>()).Where(tool => Find(tool) is null).ToList();
        return missing.Count == 0 ? null : $"{string.Join(" and ", missing)} not on PATH ({InstallHint}).";
    }

    /// <summary>Why a registry test is skipped here, or null when it runs (the tools are here, or CI=true makes their absence a failure).</summary>
    public static string? SkipReason(bool authenticated) =>
        OnCi ? null : Missing(authenticated) is { } missing ? $"{missing} Set CI=true to make this a failure instead of a skip." : null;

    public static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, tool))
            .FirstOrDefault(File.Exists);
}

/// <summary>
/// A fact that needs a real registry: skipped with the reason when docker-registry (or, with <see cref="Authenticated"/>,
/// htpasswd) is not on PATH, unless CI=true, where the <see cref="LocalRegistry"/> fixture fails instead. xunit 2 has no
/// dynamic skip, so the decision is made when the attribute is read.
/// </summary>
public sealed class RegistryFactAttribute : FactAttribute
{
    private bool _authenticated;

    public RegistryFactAttribute()
    {
        Skip = RegistryTools.SkipReason(authenticated: false)!;
    }

    public bool Authenticated
    {
        get => _authenticated;
        set
        {
            _authenticated = value;
            Skip = RegistryTools.SkipReason(value)!;
        }
    }
}
