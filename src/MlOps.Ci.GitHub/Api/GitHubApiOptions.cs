using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MlOps.Ci.GitHub.Api;

/// <summary>How to reach one repository through GitHub's REST API, and how patiently.</summary>
/// <param name="Repository">owner/name.</param>
/// <param name="Token">A GITHUB_TOKEN, an app installation token or a personal access token.</param>
public sealed record GitHubApiOptions(GitHubRepositoryName Repository, string Token)
{
    /// <summary>https://api.github.com/, or a GitHub Enterprise Server's API (GITHUB_API_URL).</summary>
    public Uri ApiUrl { get; init; } = GitHubSettings.DefaultApiUrl;

    /// <summary>Retries after a 5xx, a dropped connection or a rate limit with a known wait.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>First backoff after a 5xx; doubled (with jitter) on each further retry.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The longest wait a rate limit may impose (Retry-After, or x-ratelimit-reset when the quota is spent). A longer
    /// wait is not sat out in a CI job: the request fails at once with MLOPS8006 and the time GitHub gave.
    /// </summary>
    public TimeSpan MaxRetryWait { get; init; } = TimeSpan.FromSeconds(60);

    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Called on every retry (the CLI logs it; tests check the wait GitHub asked for was honoured).</summary>
    public Action<GitHubRetry>? RetryObserver { get; init; }

    public override string ToString() => $"{Repository} at {ApiUrl}";
}
