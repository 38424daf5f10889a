using System.Net;
using MlOps.Ci.Automation;
using MlOps.Ci.AzureDevOps.Repos;
using MlOps.Ci.AzureDevOps.Tests.Fakes;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.AzureDevOps.Tests;

/// <summary>The quality report on an Azure Repos pull request, against a fake Azure DevOps that checks the documented contracts.</summary>
public sealed class AzureReposPullRequestPublisherSpecs : IAsyncLifetime
{
    private static readonly QualityReport Passing = new("churn 2.1.0", "Quality gates passed: AUC 0.912 ≥ 0.8, LogLoss 0.41 ≤ 0.6", "## churn 2.1.0\n\n| metric | value | gate |\n|---|---|---|\n| AUC | 0.912 | ≥ 0.8 ✅ |\n", true);
    private static readonly QualityReport Failing = new("churn 2.1.1", "Quality gate failed: AUC 0.713 < 0.8\nsee the report", "## churn 2.1.1\n\n| metric | value | gate |\n|---|---|---|\n| AUC | 0.713 | ≥ 0.8 ❌ |\n", false);

    private FakeAzureDevOps _azure = null!;

    public async Task InitializeAsync() => _azure = await FakeAzureDevOps.StartAsync();

    public async Task DisposeAsync()
    {
        _azure.ContractViolations.ShouldBeEmpty("every request must follow the documented contract");
        await _azure.DisposeAsync();
    }

    private AzureReposPullRequestPublisher Publisher(AzureReposPullRequest? pullRequest = null, int maxRetries = 3) =>
        new(pullRequest ?? _azure.PullRequest(), new AzureDevOpsClientOptions { MaxRetries = maxRetries, RetryDelay = TimeSpan.FromMilliseconds(5) });

    private static async Task<Diagnostic> FailureOf(Func<Task> action) =>
        (await Should.ThrowAsync<MlOpsException>(action)).Diagnostics.ShouldHaveSingleItem();

    [Fact]
    public async Task The_first_run_opens_one_thread_with_the_hidden_marker_and_sets_the_status()
    {
        using var publisher = Publisher();

        var publication = await publisher.PublishAsync(Failing);

        var thread = _azure.Threads.ShouldHaveSingleItem();
        var comment = thread["comments"]!.AsArray().ShouldHaveSingleItem()!;
        comment["content"]!.GetValue<string>().ShouldBe($"{AzureReposPullRequestPublisher.Marker}\n{Failing.Markdown}");
        comment["parentCommentId"]!.GetValue<int>().ShouldBe(0);
        publication.CommentUpdated.ShouldBeFalse();
        publication.CommentUrl.ShouldBe($"{_azure.CollectionUri}Fabrikam%20Fiber/_git/churn-model/pullrequest/22?discussionId={thread["id"]}");
    }

    [Fact]
    public async Task The_second_run_edits_the_same_comment_in_place_and_leaves_other_threads_alone()
    {
        var reviewerThread = _azure.AddReviewerThread("Why did SupportCalls go in? <!-- not ours -->");
        using (var first = Publisher())
            await first.PublishAsync(Failing);
        var before = _azure.Threads.Single(t => t["id"]!.GetValue<int>() != reviewerThread);

        using var second = Publisher();
        var publication = await second.PublishAsync(Passing);

        _azure.Threads.Count.ShouldBe(2, "the report's thread is updated, never duplicated");
        var after = _azure.Threads.Single(t => t["id"]!.GetValue<int>() != reviewerThread);
        after["id"]!.GetValue<int>().ShouldBe(before["id"]!.GetValue<int>());
        var comment = after["comments"]!.AsArray().ShouldHaveSingleItem()!;
        comment["id"]!.GetValue<int>().ShouldBe(before["comments"]![0]!["id"]!.GetValue<int>());
        comment["content"]!.GetValue<string>().ShouldBe($"{AzureReposPullRequestPublisher.Marker}\n{Passing.Markdown}");
        _azure.Threads.Single(t => t["id"]!.GetValue<int>() == reviewerThread)["comments"]![0]!["content"]!.GetValue<string>().ShouldStartWith("Why did");
        publication.CommentUpdated.ShouldBeTrue();
        _azure.Requests.ShouldContain(r => r.StartsWith($"PATCH /fabrikam/{FakeAzureDevOps.ProjectId}/_apis/git/repositories/{FakeAzureDevOps.RepositoryId}/pullRequests/22/threads/{after["id"]}/comments/{comment["id"]}?api-version=7.1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_thread_is_active_while_the_gate_fails_and_resolved_once_it_passes()
    {
        using var publisher = Publisher();

        await publisher.PublishAsync(Failing);
        _azure.Threads.Single()["status"]!.GetValue<string>().ShouldBe("active");

        await publisher.PublishAsync(Passing);
        _azure.Threads.Single()["status"]!.GetValue<string>().ShouldBe("fixed");

        await publisher.PublishAsync(Failing);
        _azure.Threads.Single()["status"]!.GetValue<string>().ShouldBe("active");
    }

    [Fact]
    public async Task The_pull_request_status_follows_the_verdict_with_the_one_line_summary_and_the_build_link()
    {
        using var publisher = Publisher();

        await publisher.PublishAsync(Failing);
        await publisher.PublishAsync(Passing);

        var statuses = _azure.Statuses;
        statuses.Select(s => s["state"]!.GetValue<string>()).ShouldBe(["failed", "succeeded"]);
        statuses.ShouldAllBe(s => s["context"]!["genre"]!.GetValue<string>() == "mlops" && s["context"]!["name"]!.GetValue<string>() == "quality-gate");
        statuses[0]["description"]!.GetValue<string>().ShouldBe("Quality gate failed: AUC 0.713 < 0.8");
        statuses[1]["description"]!.GetValue<string>().ShouldBe(Passing.Summary);
        statuses[1]["targetUrl"]!.GetValue<string>().ShouldBe($"{_azure.CollectionUri}Fabrikam%20Fiber/_build/results?buildId=4711");
    }

    [Fact]
    public async Task Without_a_build_link_the_status_has_no_target()
    {
        using var publisher = Publisher(_azure.PullRequest() with { BuildResultsUrl = null });

        await publisher.PublishAsync(Passing);

        _azure.Statuses.Single().ContainsKey("targetUrl").ShouldBeFalse();
    }

    [Fact]
    public void An_empty_token_is_its_own_diagnostic_saying_how_to_map_it()
    {
        var failure = Should.Throw<MlOpsException>(() => Publisher(_azure.PullRequest(token: " ")));

        var diagnostic = failure.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Code.ShouldBe(DiagnosticCodes.AzureDevOpsTokenMissing);
        diagnostic.Hint!.ShouldContain("$(System.AccessToken)");
        _azure.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_pull_request_that_does_not_exist_is_reported_as_not_found_naming_the_request()
    {
        using var publisher = Publisher(_azure.PullRequest(pullRequestId: 404));

        var diagnostic = await FailureOf(() => publisher.PublishAsync(Passing));

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzureDevOpsPullRequestNotFound);
        diagnostic.Message.ShouldContain($"GET {_azure.CollectionUri}{FakeAzureDevOps.ProjectId}/_apis/git/repositories/{FakeAzureDevOps.RepositoryId}/pullRequests/404");
        diagnostic.Message.ShouldContain("TF401180");
        _azure.Threads.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_repository_that_does_not_exist_is_reported_as_not_found()
    {
        using var publisher = Publisher(_azure.PullRequest(repositoryId: "no-such-repository"));

        var diagnostic = await FailureOf(() => publisher.PublishAsync(Passing));

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzureDevOpsPullRequestNotFound);
        diagnostic.Message.ShouldContain("TF401019");
    }

    [Fact]
    public async Task A_token_the_service_refuses_is_unauthorized_and_not_retried()
    {
        using var publisher = Publisher(_azure.PullRequest(token: "expired-token"));

        var diagnostic = await FailureOf(() => publisher.PublishAsync(Passing));

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzureDevOpsUnauthorized);
        diagnostic.Message.ShouldContain("401");
        diagnostic.Message.ShouldNotContain("expired-token");
        _azure.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task An_injected_401_is_unauthorized_with_the_service_message()
    {
        _azure.FailNext(1, HttpStatusCode.Unauthorized);
        using var publisher = Publisher();

        var diagnostic = await FailureOf(() => publisher.PublishAsync(Passing));

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzureDevOpsUnauthorized);
        diagnostic.Message.ShouldContain("TF400813");
    }

    [Fact]
    public async Task An_identity_without_pull_request_permission_is_forbidden_naming_the_write_it_tried()
    {
        _azure.ReadOnlyIdentity = true;
        using var publisher = Publisher();

        var diagnostic = await FailureOf(() => publisher.PublishAsync(Passing));

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzureDevOpsForbidden);
        diagnostic.Message.ShouldContain("POST ");
        diagnostic.Message.ShouldContain("/threads");
        diagnostic.Message.ShouldContain("PullRequestContribute");
        diagnostic.Hint!.ShouldContain("Contribute to pull requests");
    }

    [Fact]
    public async Task Server_errors_are_retried_and_the_report_still_lands_once()
    {
        _azure.FailNext(2, HttpStatusCode.ServiceUnavailable);
        using var publisher = Publisher();

        await publisher.PublishAsync(Passing);

        _azure.Threads.ShouldHaveSingleItem();
        _azure.Statuses.ShouldHaveSingleItem();
        _azure.Requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("/pullRequests/22?", StringComparison.Ordinal)).ShouldBe(3);
    }

    [Fact]
    public async Task A_thread_created_whose_answer_was_lost_is_found_again_instead_of_duplicated()
    {
        _azure.FailNext(1, HttpStatusCode.BadGateway, route: "POST /threads", afterHandling: true);
        using var publisher = Publisher();

        var publication = await publisher.PublishAsync(Failing);

        _azure.Threads.ShouldHaveSingleItem();
        _azure.Requests.Count(r => r.StartsWith("POST ", StringComparison.Ordinal) && r.Contains("/threads?", StringComparison.Ordinal)).ShouldBe(1);
        _azure.Requests.Count(r => r.StartsWith("PATCH ", StringComparison.Ordinal) && r.Contains("/comments/", StringComparison.Ordinal)).ShouldBe(1);
        publication.CommentUpdated.ShouldBeTrue();
    }

    [Fact]
    public async Task Server_errors_that_never_stop_end_as_a_server_error_naming_the_request()
    {
        _azure.FailNext(10, HttpStatusCode.InternalServerError);
        using var publisher = Publisher(maxRetries: 2);

        var diagnostic = await FailureOf(() => publisher.PublishAsync(Passing));

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzureDevOpsServerError);
        diagnostic.Message.ShouldContain($"GET {_azure.CollectionUri}{FakeAzureDevOps.ProjectId}/_apis/git/repositories/{FakeAzureDevOps.RepositoryId}/pullRequests/22");
        diagnostic.Message.ShouldContain("500");
        diagnostic.Message.ShouldContain("TF246017");
        _azure.Requests.Count.ShouldBe(3, "the first try and two retries");
    }

    [Fact]
    public async Task Throttling_is_waited_out_as_Retry_After_asks()
    {
        _azure.FailNext(1, HttpStatusCode.TooManyRequests, retryAfterSeconds: 1);
        using var publisher = Publisher();

        await publisher.PublishAsync(Passing);

        _azure.Threads.ShouldHaveSingleItem();
        _azure.Statuses.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Throttling_that_never_stops_is_its_own_diagnostic_with_the_Retry_After()
    {
        _azure.FailNext(10, HttpStatusCode.TooManyRequests, retryAfterSeconds: 1);
        using var publisher = Publisher(maxRetries: 1);

        var diagnostic = await FailureOf(() => publisher.PublishAsync(Passing));

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzureDevOpsThrottled);
        diagnostic.Message.ShouldContain("Retry-After 1 s");
        diagnostic.Message.ShouldContain("/pullRequests/22");
    }

    [Fact]
    public async Task A_collection_nobody_answers_is_unreachable()
    {
        // The replacement starts while the first still holds its port, so it cannot get the port that is about to fall silent.
        var silent = _azure;
        _azure = await FakeAzureDevOps.StartAsync();
        var port = silent.CollectionUri.Port;
        await silent.DisposeAsync();
        using var publisher = Publisher(_azure.PullRequest() with { CollectionUri = new Uri($"http://127.0.0.1:{port}/fabrikam/") }, maxRetries: 1);

        var diagnostic = await FailureOf(() => publisher.PublishAsync(Passing));

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzureDevOpsUnreachable);
        diagnostic.Message.ShouldContain($"127.0.0.1:{port}");
    }
}
