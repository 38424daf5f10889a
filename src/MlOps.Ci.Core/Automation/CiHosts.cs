namespace MlOps.Ci.Automation;

/// <summary>
/// Picks the CI host from the environment. The CI-specific hosts live in their own assemblies (MlOps.Ci.GitHub,
/// MlOps.Ci.AzureDevOps) and register a factory here, so Core knows neither Octokit nor Azure DevOps.
/// </summary>
public static class CiHosts
{
    /// <summary>Factories tried in order; the first that recognises the environment wins.</summary>
    public static ICiHost Detect(IEnumerable<Func<IReadOnlyDictionary<string, string>, TextWriter, ICiHost?>> factories,
        IReadOnlyDictionary<string, string> environment, TextWriter log)
    {
        foreach (var factory in factories)
        {
            if (factory(environment, log) is { } host)
                return host;
        }
        return new PlainHost();
    }

    /// <summary>A variable's value, trimmed; null when it is unset or blank (a CI system sets unused variables to "").</summary>
    public static string? Value(IReadOnlyDictionary<string, string> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>The process environment as a dictionary (tests pass their own).</summary>
    public static IReadOnlyDictionary<string, string> ProcessEnvironment() =>
        System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
}

/// <summary>No CI system: the canonical <c>file(line,col): error CODE: text</c> lines already say everything.</summary>
public sealed class PlainHost : ICiHost
{
    public string Name => "none";
    public void Report(Diagnostics.Diagnostic diagnostic) { }
    public void SetOutput(string name, string value) { }
    public void MaskSecret(string value) { }
    public void AppendSummary(string markdown) { }
    public void Complete(bool succeeded, string message) { }

    public IPullRequestPublisher? PullRequest(out string reason)
    {
        reason = "not running in GitHub Actions or Azure Pipelines";
        return null;
    }
}
