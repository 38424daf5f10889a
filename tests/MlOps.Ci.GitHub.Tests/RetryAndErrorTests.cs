using System.Net;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.GitHub.Api;
using MlOps.Ci.GitHub.Tests.Fake;
using MlOps.Ci.GitHub.Workflows;

namespace MlOps.Ci.GitHub.Tests;

public sealed class RetryAndErrorTests : GitHubFixture
{
    private const string Operation = "actions/create-workflow-dispatch";

    private Task<RetrainResult> DispatchAsync(string token = FakeGitHub.WriteToken, string workflow = "train.yml") =>
        new GitHubWorkflows(Api(token)).DispatchAsync(new RetrainRequest(workflow, "main", "drift"));

    public RetryAndErrorTests() => Retries.Clear();

    private void TrainWorkflow() => Fake.Workflows["train.yml"] = ["reason", "psi"];

    [Fact]
    public async Task A_5xx_is_retried_and_the_request_then_succeeds()
    {
        TrainWorkflow();
        Fake.FailNext(Operation, count: 2, HttpStatusCode.ServiceUnavailable);

        await DispatchAsync();

        Fake.CountOf(Operation).ShouldBe(3);
        Fake.Dispatches.ShouldHaveSingleItem();
        Retries.Select(r => (r.Method, r.Path, r.Answer)).ShouldBe(
        [
            ("POST", "/api/v3/repos/octo-org/churn-model/actions/workflows/train.yml/dispatches", "503"),
            ("POST", "/api/v3/repos/octo-org/churn-model/actions/workflows/train.yml/dispatches", "503"),
        ]);
    }

    [Fact]
    public async Task A_5xx_on_every_retry_gets_its_own_code_naming_the_request()
    {
        TrainWorkflow();
        Fake.FailNext(Operation, count: 3, HttpStatusCode.InternalServerError);

        var error = await Should.ThrowAsync<MlOpsException>(() => DispatchAsync());

        var diagnostic = error.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Code.ShouldBe(DiagnosticCodes.GitHubServerError);
        diagnostic.Message.ShouldBe("POST /repos/octo-org/churn-model/actions/workflows/train.yml/dispatches: GitHub answered 500 after 2 retries (Server Error).");
        Fake.Dispatches.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task A_secondary_rate_limit_is_retried_after_exactly_the_Retry_After_GitHub_gives(HttpStatusCode status)
    {
        TrainWorkflow();
        Fake.FailNext(Operation, count: 1, status, retryAfterSeconds: 1);

        await DispatchAsync();

        Retries.ShouldHaveSingleItem().Delay.ShouldBe(TimeSpan.FromSeconds(1));
        Fake.Dispatches.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_spent_quota_whose_reset_is_within_the_longest_wait_is_waited_out()
    {
        TrainWorkflow();
        Fake.FailNext(Operation, count: 1, HttpStatusCode.Forbidden, rateLimitSpent: true, rateLimitReset: DateTimeOffset.UtcNow.AddSeconds(2).ToUnixTimeSeconds());

        await DispatchAsync();

        var retry = Retries.ShouldHaveSingleItem();
        retry.Delay.ShouldBeGreaterThan(TimeSpan.Zero);
        retry.Delay.ShouldBeLessThanOrEqualTo(TimeSpan.FromSeconds(3));
        Fake.Dispatches.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task A_rate_limit_longer_than_the_longest_wait_fails_at_once_with_its_own_code()
    {
        TrainWorkflow();
        var reset = DateTimeOffset.UtcNow.AddHours(1);
        Fake.FailNext(Operation, count: 1, HttpStatusCode.Forbidden, rateLimitSpent: true, rateLimitReset: reset.ToUnixTimeSeconds());

        var error = await Should.ThrowAsync<MlOpsException>(() => DispatchAsync());

        var diagnostic = error.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Code.ShouldBe(DiagnosticCodes.GitHubRateLimited);
        diagnostic.Message.ShouldContain("POST /repos/octo-org/churn-model/actions/workflows/train.yml/dispatches");
        diagnostic.Message.ShouldContain($"{reset.UtcDateTime:yyyy-MM-dd HH:mm}");
        Retries.ShouldBeEmpty();
        Fake.CountOf(Operation).ShouldBe(1);
    }

    [Fact]
    public async Task A_secondary_rate_limit_that_outlasts_the_retries_gets_the_rate_limit_code()
    {
        TrainWorkflow();
        Fake.FailNext(Operation, count: 3, HttpStatusCode.TooManyRequests, retryAfterSeconds: 1);

        var error = await Should.ThrowAsync<MlOpsException>(() => DispatchAsync());

        error.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.GitHubRateLimited);
        error.Diagnostics[0].Message.ShouldContain("after 2 retries");
        Retries.Count.ShouldBe(2);
    }

    [Fact]
    public async Task A_secondary_rate_limit_without_Retry_After_asks_for_a_minute_which_is_longer_than_allowed_so_it_fails_at_once()
    {
        TrainWorkflow();
        Fake.FailNext(Operation, count: 1, HttpStatusCode.Forbidden);

        var error = await Should.ThrowAsync<MlOpsException>(() => DispatchAsync());

        error.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.GitHubRateLimited);
        error.Diagnostics[0].Message.ShouldContain("secondary rate limit");
        Retries.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_422_surfaces_GitHubs_message_with_its_own_code_and_is_not_retried()
    {
        Fake.Workflows["train.yml"] = ["reason"];

        var error = await Should.ThrowAsync<MlOpsException>(() =>
            new GitHubWorkflows(Api()).DispatchAsync(new RetrainRequest("train.yml", "main", "drift") { Inputs = new Dictionary<string, string> { ["psi"] = "0.3" } }));

        var diagnostic = error.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Code.ShouldBe(DiagnosticCodes.GitHubRequestRejected);
        diagnostic.Message.ShouldBe("POST /repos/octo-org/churn-model/actions/workflows/train.yml/dispatches: GitHub answered 422: Unexpected inputs provided: [\"psi\"].");
        Retries.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_queued_422_fault_is_served_as_GitHub_serves_it()
    {
        TrainWorkflow();
        Fake.FailNext(Operation, count: 1, HttpStatusCode.UnprocessableEntity, message: "No ref found for: nope");

        var error = await Should.ThrowAsync<MlOpsException>(() => DispatchAsync());

        error.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.GitHubRequestRejected);
        error.Diagnostics[0].Message.ShouldEndWith("GitHub answered 422: No ref found for: nope.");
    }

    [Fact]
    public async Task An_invalid_token_and_an_unknown_workflow_get_their_own_codes()
    {
        var unauthorized = await Should.ThrowAsync<MlOpsException>(() => DispatchAsync(token: "ghp_expired"));
        unauthorized.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.GitHubUnauthorized);

        var missing = await Should.ThrowAsync<MlOpsException>(() => DispatchAsync(workflow: "nope.yml"));
        missing.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.GitHubResourceNotFound);
        missing.Diagnostics[0].Message.ShouldStartWith("POST /repos/octo-org/churn-model/actions/workflows/nope.yml/dispatches: GitHub answered 404");
    }

    [Fact]
    public async Task A_GitHub_that_does_not_answer_gets_the_unreachable_code()
    {
        var port = Fake.BaseAddress.Port;
        await Fake.DisposeAsync();
        var api = new GitHubApi(new GitHubApiOptions(new GitHubRepositoryName("o", "r"), "t")
        {
            ApiUrl = new Uri($"http://127.0.0.1:{port}/api/v3"),
            MaxRetries = 1,
            RetryDelay = TimeSpan.FromMilliseconds(1),
        });

        var error = await Should.ThrowAsync<MlOpsException>(() => new GitHubWorkflows(api).DispatchAsync(new RetrainRequest("train.yml", "main", "drift")));

        error.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.GitHubUnreachable);
        Fake = await FakeGitHub.StartAsync();
    }

    [Fact]
    public void Settings_without_a_token_or_a_repository_get_their_own_codes()
    {
        var noToken = Should.Throw<MlOpsException>(() => GitHubSettings.Resolve(new Dictionary<string, string> { ["GITHUB_REPOSITORY"] = "o/r" }));
        noToken.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.GitHubTokenMissing);

        var noRepository = Should.Throw<MlOpsException>(() => GitHubSettings.Resolve(new Dictionary<string, string> { ["GITHUB_TOKEN"] = "t" }, repository: "just-a-name"));
        noRepository.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.GitHubRepositoryMissing);

        var resolved = GitHubSettings.Resolve(new Dictionary<string, string> { ["GH_TOKEN"] = "t", ["GITHUB_API_URL"] = "https://ghe.example.com/api/v3" }, repository: "o/r");
        resolved.Repository.ShouldBe(new GitHubRepositoryName("o", "r"));
        resolved.ApiUrl.ShouldBe(new Uri("https://ghe.example.com/api/v3/"));
    }
}
