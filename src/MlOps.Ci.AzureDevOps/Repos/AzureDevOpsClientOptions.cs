namespace MlOps.Ci.AzureDevOps.Repos;

/// <summary>How the Azure DevOps REST client talks: its HTTP client (tests pass one) and how patiently it retries.</summary>
public sealed record AzureDevOpsClientOptions
{
    /// <summary>An HTTP client to use (not disposed); default: one of the publisher's own.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>Retries after a 5xx, a 429 or a network failure, before the request is reported as failed.</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>The first back-off (doubled on each retry, with jitter) when the service gives no Retry-After.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest Retry-After honoured; a longer one is cut to this so a build never waits for minutes.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one request may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(100);
}
