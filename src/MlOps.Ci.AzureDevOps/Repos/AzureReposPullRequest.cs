using MlOps.Ci.AzureDevOps.Pipelines;

namespace MlOps.Ci.AzureDevOps.Repos;

/// <summary>
/// Where the REST calls for one Azure Repos pull request go and who makes them: the collection
/// (<c>https://dev.azure.com/org/</c>), the project (its id when known: names may hold spaces), the repository id,
/// the pull request id and the job's access token. <see cref="BuildResultsUrl"/> is the PR status's link.
/// </summary>
public sealed record AzureReposPullRequest(Uri CollectionUri, string Project, string RepositoryId, int PullRequestId, string AccessToken)
{
    /// <summary>The repository's web address (<c>…/_git/name</c>), for links to the comment; derived when not given.</summary>
    public string? RepositoryWebUrl { get; init; }

    /// <summary>The build's results page, the PR status's target.</summary>
    public string? BuildResultsUrl { get; init; }

    /// <summary>
    /// The pull request an Azure Pipelines PR-validation build is building, or null with <paramref name="reason"/>
    /// saying what is missing.
    /// </summary>
    public static AzureReposPullRequest? FromEnvironment(IReadOnlyDictionary<string, string> environment, out string reason)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Get(string name) => AzurePipelinesEnvironment.Value(environment, name);

        if (Get(AzurePipelinesEnvironment.PullRequestId) is not { } pullRequestText)
        {
            reason = $"not a pull-request build ({AzurePipelinesEnvironment.PullRequestId} is not set: the build was not queued by a branch policy or PR trigger)";
            return null;
        }
        if (Get(AzurePipelinesEnvironment.RepositoryProvider) is { } provider && !provider.Equals("TfsGit", StringComparison.OrdinalIgnoreCase))
        {
            reason = $"the pull request is on {provider}, not Azure Repos ({AzurePipelinesEnvironment.RepositoryProvider}={provider}); only Azure Repos pull requests get the Azure DevOps report";
            return null;
        }
        if (!int.TryParse(pullRequestText, out var pullRequestId) || pullRequestId <= 0)
        {
            reason = $"{AzurePipelinesEnvironment.PullRequestId}='{pullRequestText}' is not a pull request id";
            return null;
        }
        if (Get(AzurePipelinesEnvironment.AccessToken) is not { } token)
        {
            reason = $"no access token: {AzurePipelinesEnvironment.AccessToken} is not set. Map it in the step (env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)), "
                + "or in a classic pipeline tick 'Allow scripts to access the OAuth token' on the agent job";
            return null;
        }
        var missing = new[] { AzurePipelinesEnvironment.CollectionUri, AzurePipelinesEnvironment.RepositoryId }.Where(name => Get(name) is null).ToList();
        if ((Get(AzurePipelinesEnvironment.TeamProjectId) ?? Get(AzurePipelinesEnvironment.TeamProject)) is null)
            missing.Add(AzurePipelinesEnvironment.TeamProjectId);
        if (missing.Count > 0)
        {
            reason = $"the pull request build does not say where the pull request is: {string.Join(", ", missing)} not set (the agent sets them in every job; is this an Azure Pipelines agent?)";
            return null;
        }
        if (!Uri.TryCreate(EnsureTrailingSlash(Get(AzurePipelinesEnvironment.CollectionUri)!), UriKind.Absolute, out var collection))
        {
            reason = $"{AzurePipelinesEnvironment.CollectionUri}='{Get(AzurePipelinesEnvironment.CollectionUri)}' is not an absolute URL";
            return null;
        }

        var projectName = Get(AzurePipelinesEnvironment.TeamProject);
        var buildId = Get(AzurePipelinesEnvironment.BuildId);
        reason = "";
        return new AzureReposPullRequest(collection, Get(AzurePipelinesEnvironment.TeamProjectId) ?? projectName!, Get(AzurePipelinesEnvironment.RepositoryId)!, pullRequestId, token)
        {
            RepositoryWebUrl = Get(AzurePipelinesEnvironment.RepositoryUri) is { } uri && uri.StartsWith("http", StringComparison.OrdinalIgnoreCase)
                ? uri.TrimEnd('/')
                : projectName is not null && Get(AzurePipelinesEnvironment.RepositoryName) is { } name
                    ? $"{collection}{Uri.EscapeDataString(projectName)}/_git/{Uri.EscapeDataString(name)}"
                    : null,
            BuildResultsUrl = buildId is null
                ? null
                : $"{collection}{Uri.EscapeDataString(projectName ?? Get(AzurePipelinesEnvironment.TeamProjectId)!)}/_build/results?buildId={Uri.EscapeDataString(buildId)}",
        };
    }

    /// <summary>The pull request's web page (the repository's address when known, else the project's PR route).</summary>
    public string WebUrl => RepositoryWebUrl is { } repository
        ? $"{repository}/pullrequest/{PullRequestId}"
        : $"{CollectionUri}{Uri.EscapeDataString(Project)}/_git/{Uri.EscapeDataString(RepositoryId)}/pullrequest/{PullRequestId}";

    private static string EnsureTrailingSlash(string url) => url.EndsWith('/') ? url : url + "/";

    /// <summary>The token never reaches a log through this record's ToString.</summary>
    public override string ToString() => $"pull request {PullRequestId} in repository {RepositoryId} ({CollectionUri}{Project})";
}
