using MlOps.Ci.Automation;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.GitHub.Api;

/// <summary>A repository as GitHub names it: <c>owner/name</c>.</summary>
public sealed record GitHubRepositoryName(string Owner, string Name)
{
    public override string ToString() => $"{Owner}/{Name}";

    public static bool TryParse(string? text, out GitHubRepositoryName repository)
    {
        repository = null!;
        var parts = (text ?? "").Trim().Split('/');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            return false;
        repository = new GitHubRepositoryName(parts[0], parts[1]);
        return true;
    }
}

/// <summary>
/// Where the GitHub settings come from when nothing is given explicitly: the variables the runner sets
/// (<c>GITHUB_REPOSITORY</c>, <c>GITHUB_API_URL</c>, <c>GITHUB_SHA</c>, …) and the token the action passes as
/// <c>GITHUB_TOKEN</c>. The same names work on a developer's machine, so the verbs run outside Actions too.
/// </summary>
public static class GitHubSettings
{
    public static readonly Uri DefaultApiUrl = new("https://api.github.com/");

    /// <summary>GITHUB_TOKEN, else GH_TOKEN (the GitHub CLI's name); null when neither is set.</summary>
    public static string? Token(IReadOnlyDictionary<string, string> environment) =>
        Value(environment, "GITHUB_TOKEN") ?? Value(environment, "GH_TOKEN");

    public static Uri ApiUrl(IReadOnlyDictionary<string, string> environment, string? explicitUrl)
    {
        var text = explicitUrl ?? Value(environment, "GITHUB_API_URL");
        return text is null ? DefaultApiUrl : new Uri(text.EndsWith('/') ? text : text + "/");
    }

    public static bool TryRepository(IReadOnlyDictionary<string, string> environment, string? explicitRepository, out GitHubRepositoryName repository) =>
        GitHubRepositoryName.TryParse(explicitRepository ?? Value(environment, "GITHUB_REPOSITORY"), out repository);

    /// <summary>The API options for a verb, or an MLOPS8001/8002 error that says which setting is missing.</summary>
    public static GitHubApiOptions Resolve(IReadOnlyDictionary<string, string> environment, string? repository = null, string? apiUrl = null)
    {
        if (!TryRepository(environment, repository, out var name))
        {
            throw MlOpsException.Of(DiagnosticCodes.GitHubRepositoryMissing,
                $"No GitHub repository: '{repository ?? Value(environment, "GITHUB_REPOSITORY") ?? ""}' is not owner/name.",
                hint: "Pass --repository owner/name or set GITHUB_REPOSITORY (the runner sets it in GitHub Actions).");
        }
        var token = Token(environment) ?? throw MlOpsException.Of(DiagnosticCodes.GitHubTokenMissing,
            $"No GitHub token for {name}: GITHUB_TOKEN is not set.",
            hint: "In a workflow pass the action's github-token input (default github.token) with the permissions the verb needs; "
                  + "on a developer machine export GITHUB_TOKEN (e.g. GITHUB_TOKEN=$(gh auth token)).");
        return new GitHubApiOptions(name, token) { ApiUrl = ApiUrl(environment, apiUrl) };
    }

    /// <summary>The Actions run's page (GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID), e.g. as a deployment status's log; null outside Actions.</summary>
    public static string? RunUrl(IReadOnlyDictionary<string, string> environment) =>
        Value(environment, "GITHUB_SERVER_URL") is { } server && Value(environment, "GITHUB_REPOSITORY") is { } repository && Value(environment, "GITHUB_RUN_ID") is { } run
            ? $"{server.TrimEnd('/')}/{repository}/actions/runs/{run}"
            : null;

    /// <summary>An explicit value, else the environment variable; null when both are empty.</summary>
    public static string? Value(IReadOnlyDictionary<string, string> environment, string name) => CiHosts.Value(environment, name);
}
