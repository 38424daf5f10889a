using MlOps.Ci.Automation;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.GitHub.Actions;
using MlOps.Ci.GitHub.PullRequests;
using MlOps.Ci.GitHub.Tests.Fake;
using MlOps.Ci.Testing;

namespace MlOps.Ci.GitHub.Tests;

public sealed class PullRequestPublisherTests : GitHubFixture
{
    private const int PullRequest = 42;
    private static readonly string FirstPush = new('1', 40);
    private static readonly string SecondPush = new('2', 40);

    private static QualityReport Report(string auc, bool passed) => new(
        "Quality gate: churn " + (passed ? "passed" : "failed"),
        passed ? "All gates passed." : "AUC fell below the baseline.",
        $"| metric | baseline | candidate |\n|---|---|---|\n| AUC | 0.91 | {auc} |\n",
        passed);

    [Fact]
    public async Task Two_pushes_produce_one_comment_updated_in_place_and_check_runs_that_follow_the_verdict()
    {
        Fake.PullRequests.Add(PullRequest);
        Fake.SeedComment(PullRequest, "Looks good to me");

        var first = await new GitHubPullRequestPublisher(Api(), PullRequest, FirstPush).PublishAsync(Report("0.93", passed: true));
        var second = await new GitHubPullRequestPublisher(Api(), PullRequest, SecondPush).PublishAsync(Report("0.85", passed: false));

        first.CommentUpdated.ShouldBeFalse();
        second.CommentUpdated.ShouldBeTrue();
        second.CommentUrl.ShouldBe(first.CommentUrl);
        var reports = Fake.Comments.Where(c => c.Body.Contains("mlops-ci:report", StringComparison.Ordinal)).ToList();
        var report = reports.ShouldHaveSingleItem();
        report.Body.ShouldStartWith("<!-- mlops-ci:report -->\n");
        report.Body.ShouldContain("| AUC | 0.91 | 0.85 |");
        report.Body.ShouldNotContain("0.93");
        Fake.Comments.Count.ShouldBe(2);

        Fake.CheckRuns.Select(r => (r.HeadSha, r.Name, r.Status, r.Conclusion)).ShouldBe(
        [
            (FirstPush, "mlops quality gate", "completed", "success"),
            (SecondPush, "mlops quality gate", "completed", "failure"),
        ]);
        Fake.CheckRuns[1].Title.ShouldBe("Quality gate: churn failed");
        Fake.CheckRuns[1].Summary!.ShouldStartWith("AUC fell below the baseline.");
        second.VerdictUrl.ShouldEndWith($"/runs/{Fake.CheckRuns[1].Id}");
    }

    [Fact]
    public async Task Reporting_the_same_commit_again_updates_its_check_run_instead_of_adding_one()
    {
        Fake.PullRequests.Add(PullRequest);

        await new GitHubPullRequestPublisher(Api(), PullRequest, FirstPush).PublishAsync(Report("0.80", passed: false));
        await new GitHubPullRequestPublisher(Api(), PullRequest, FirstPush).PublishAsync(Report("0.95", passed: true));

        var run = Fake.CheckRuns.ShouldHaveSingleItem();
        run.Conclusion.ShouldBe("success");
        run.Updates.ShouldBe(2);
        Fake.Comments.ShouldHaveSingleItem().Body.ShouldContain("0.95");
    }

    [Fact]
    public async Task The_report_comment_is_found_on_the_second_page_of_comments()
    {
        Fake.PullRequests.Add(PullRequest);
        for (var i = 0; i < 130; i++)
            Fake.SeedComment(PullRequest, $"review comment {i}");
        var marked = Fake.SeedComment(PullRequest, "<!-- mlops-ci:report -->\nold report");
        Fake.SeedComment(PullRequest, "a later comment quoting it: <!-- mlops-ci:report -->");

        var publication = await new GitHubPullRequestPublisher(Api(), PullRequest, FirstPush).PublishAsync(Report("0.92", passed: true));

        publication.CommentUpdated.ShouldBeTrue();
        marked.Body.ShouldContain("| AUC | 0.91 | 0.92 |");
        Fake.Comments.Count.ShouldBe(132);
        Fake.Requests.Where(r => r.OperationId == "issues/list-comments").Select(r => r.PathAndQuery)
            .ShouldBe([$"/repos/{FakeGitHub.Owner}/{FakeGitHub.Repo}/issues/42/comments?per_page=100", $"/repos/{FakeGitHub.Owner}/{FakeGitHub.Repo}/issues/42/comments?per_page=100&page=2"]);
    }

    [Fact]
    public async Task Reports_of_two_models_keep_a_comment_each()
    {
        Fake.PullRequests.Add(PullRequest);

        await new GitHubPullRequestPublisher(Api(), PullRequest, FirstPush, "churn").PublishAsync(Report("0.93", passed: true));
        await new GitHubPullRequestPublisher(Api(), PullRequest, FirstPush, "fraud").PublishAsync(Report("0.70", passed: false));
        await new GitHubPullRequestPublisher(Api(), PullRequest, FirstPush, "churn").PublishAsync(Report("0.94", passed: true));

        Fake.Comments.Select(c => c.Body.Split('\n')[0]).ShouldBe(["<!-- mlops-ci:report churn -->", "<!-- mlops-ci:report fraud -->"]);
        Fake.CheckRuns.Select(r => (r.Name, r.Conclusion)).ShouldBe([("mlops quality gate (churn)", "success"), ("mlops quality gate (fraud)", "failure")]);
    }

    [Fact]
    public async Task A_report_larger_than_GitHub_accepts_is_cut_to_fit_the_comment_and_the_check_run()
    {
        Fake.PullRequests.Add(PullRequest);
        var huge = new QualityReport("Quality gate", "passed", "| metric | value |\n" + string.Concat(Enumerable.Repeat("| auc | 0.9 |\n", 7000)), true);

        await new GitHubPullRequestPublisher(Api(), PullRequest, FirstPush).PublishAsync(huge);

        // The fake's OpenAPI check holds the check run summary to GitHub's maxLength of 65,535.
        var comment = Fake.Comments.ShouldHaveSingleItem().Body;
        comment.Length.ShouldBe(GitHubPullRequestPublisher.MaxCommentLength);
        comment.ShouldStartWith("<!-- mlops-ci:report -->");
        comment.ShouldEndWith("the full report is in the job's step summary)_");
        Fake.CheckRuns.ShouldHaveSingleItem().Summary!.Length.ShouldBe(GitHubPullRequestPublisher.MaxCheckRunSummaryLength);
    }

    [Fact]
    public async Task A_read_only_token_gets_its_own_code_and_advice_about_fork_pull_requests()
    {
        Fake.PullRequests.Add(PullRequest);

        var error = await Should.ThrowAsync<MlOpsException>(() =>
            new GitHubPullRequestPublisher(Api(FakeGitHub.ReadOnlyToken), PullRequest, FirstPush).PublishAsync(Report("0.93", passed: true)));

        var diagnostic = error.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Code.ShouldBe(DiagnosticCodes.GitHubTokenReadOnly);
        diagnostic.Message.ShouldContain($"POST /repos/{FakeGitHub.Owner}/{FakeGitHub.Repo}/issues/42/comments");
        diagnostic.Message.ShouldContain("Resource not accessible by integration");
        diagnostic.Hint!.ShouldContain("pull_request_target");
        diagnostic.Hint!.ShouldContain("pull-requests: write");
        Fake.Comments.ShouldBeEmpty();
        Retries.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_pull_request_that_does_not_exist_gets_its_own_code()
    {
        var error = await Should.ThrowAsync<MlOpsException>(() =>
            new GitHubPullRequestPublisher(Api(), 4040, FirstPush).PublishAsync(Report("0.93", passed: true)));

        var diagnostic = error.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Code.ShouldBe(DiagnosticCodes.GitHubPullRequestNotFound);
        diagnostic.Message.ShouldContain($"GET /repos/{FakeGitHub.Owner}/{FakeGitHub.Repo}/issues/4040/comments");
        diagnostic.Message.ShouldContain("#4040");
        Fake.CheckRuns.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_host_finds_the_pull_request_from_the_event_payload_and_publishes_to_it()
    {
        using var folder = new TempFolder();
        Fake.PullRequests.Add(PullRequest);
        var eventPath = folder.Write("event.json", $$$"""{"action":"synchronize","number":42,"pull_request":{"number":42,"head":{"sha":"{{{SecondPush}}}"} } }""");
        var log = new StringWriter();
        var host = new GitHubActionsHost(new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_EVENT_NAME"] = "pull_request",
            ["GITHUB_EVENT_PATH"] = eventPath,
            ["GITHUB_REPOSITORY"] = $"{FakeGitHub.Owner}/{FakeGitHub.Repo}",
            ["GITHUB_API_URL"] = Fake.ApiUrl,
            ["GITHUB_TOKEN"] = FakeGitHub.WriteToken,
        }, log);

        var publisher = host.PullRequest(out var reason).ShouldNotBeNull(reason);
        await publisher.PublishAsync(Report("0.93", passed: true));

        Fake.Comments.ShouldHaveSingleItem().Issue.ShouldBe(PullRequest);
        Fake.CheckRuns.ShouldHaveSingleItem().HeadSha.ShouldBe(SecondPush);
        log.ToString().ShouldBe($"::add-mask::{FakeGitHub.WriteToken}\n");
    }
}
