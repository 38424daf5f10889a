using MlOps.Ci.GitHub.Api;
using MlOps.Ci.GitHub.Tests.Fake;

namespace MlOps.Ci.GitHub.Tests;

/// <summary>
/// A fresh fake GitHub per test and an API client pointed at it (short backoff so 5xx retries are quick; waits that
/// GitHub dictates are kept as GitHub gives them). Fails the test when the fake saw anything GitHub's description
/// does not allow, unless the test took the violations itself.
/// </summary>
public abstract class GitHubFixture : IAsyncLifetime
{
    protected FakeGitHub Fake { get; set; } = null!;

    protected List<GitHubRetry> Retries { get; } = [];

    protected GitHubApi Api(string token = FakeGitHub.WriteToken, int maxRetries = 2) => new(new GitHubApiOptions(
        new GitHubRepositoryName(FakeGitHub.Owner, FakeGitHub.Repo), token)
    {
        ApiUrl = new Uri(Fake.ApiUrl),
        MaxRetries = maxRetries,
        RetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryWait = TimeSpan.FromSeconds(5),
        RetryObserver = Retries.Add,
    });

    public async Task InitializeAsync() => Fake = await FakeGitHub.StartAsync();

    public async Task DisposeAsync()
    {
        await Fake.DisposeAsync();
        string.Join("\n", Fake.Violations).ShouldBeEmpty("the fake GitHub saw requests or gave answers its OpenAPI description does not allow");
    }
}
