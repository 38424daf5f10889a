using MlOps.Ci.Automation;
using MlOps.Ci.AzureDevOps.Rest;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.AzureDevOps.Repos;

/// <summary>
/// Posts the quality report to an Azure Repos pull request: one comment thread, found again on every run by the
/// hidden <see cref="Marker"/> in its first comment and edited in place (never a second thread), and the verdict as a
/// pull-request status <c>mlops/quality-gate</c> that a branch policy can require.
/// The thread is <c>active</c> while the gate fails and <c>fixed</c> (shown as Resolved) once it passes, so a policy
/// that requires comment resolution also holds the merge back until the model passes.
/// </summary>
public sealed class AzureReposPullRequestPublisher : IPullRequestPublisher, IDisposable
{
    /// <summary>The hidden first line of the report comment (markdown comments are not rendered).</summary>
    public const string Marker = "<!-- mlops-ci:quality-report -->";
    public const string StatusGenre = "mlops";
    public const string StatusName = "quality-gate";
    public const string ActiveThread = "active";
    public const string ResolvedThread = "fixed";

    private readonly AzureReposPullRequest _pullRequest;
    private readonly AzureDevOpsRestClient _client;

    public AzureReposPullRequestPublisher(AzureReposPullRequest pullRequest, AzureDevOpsClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pullRequest);
        if (string.IsNullOrWhiteSpace(pullRequest.AccessToken))
        {
            throw MlOpsException.Of(DiagnosticCodes.AzureDevOpsTokenMissing,
                $"No access token to report to {pullRequest}: {Pipelines.AzurePipelinesEnvironment.AccessToken} is empty.",
                hint: "Map it in the step (env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)), or in a classic pipeline tick 'Allow scripts to access the OAuth token' on the agent job.");
        }
        _pullRequest = pullRequest;
        _client = new AzureDevOpsRestClient(Resource(pullRequest), options);
    }

    /// <summary>The pull request's routes: <c>{collection}{project}/_apis/git/repositories/{id}/pullRequests/{id}</c>.</summary>
    private static AzureDevOpsResource Resource(AzureReposPullRequest pullRequest) => new(
        $"{pullRequest.CollectionUri}{Uri.EscapeDataString(pullRequest.Project)}/_apis/git/repositories/{Uri.EscapeDataString(pullRequest.RepositoryId)}/pullRequests/{pullRequest.PullRequestId}",
        pullRequest.AccessToken, pullRequest.ToString())
    {
        UnauthorizedHint = "Map a current token into the step (env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)); a personal access token needs the Code (Read & write) scope.",
        ForbiddenHint = "Give the project's build service account 'Contribute to pull requests' on the repository (Project settings > Repositories > Security).",
        NotFoundCode = DiagnosticCodes.AzureDevOpsPullRequestNotFound,
        NotFoundHint = $"Check {Pipelines.AzurePipelinesEnvironment.PullRequestId}, {Pipelines.AzurePipelinesEnvironment.RepositoryId} and the project; the token must belong to the same organization.",
    };

    public async Task<PullRequestPublication> PublishAsync(QualityReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        // Asked first so a wrong id fails as "pull request not found" rather than on the thread list.
        await _client.ExecuteAsync(token => _client.SendAsync<GitPullRequest>(HttpMethod.Get, "", null, token), cancellationToken);

        var content = report.Markdown.Contains(Marker, StringComparison.Ordinal) ? report.Markdown : $"{Marker}\n{report.Markdown}";
        var threadStatus = report.Passed ? ResolvedThread : ActiveThread;
        var (threadId, updated) = await _client.ExecuteAsync(token => UpsertThreadAsync(content, threadStatus, token), cancellationToken);

        // A status is a new record each time; the newest with the same context is the one the PR shows, so a
        // retried POST cannot leave a wrong verdict behind.
        var status = new NewPullRequestStatus(report.Passed ? "succeeded" : "failed", OneLine(report.Summary),
            new StatusContext(StatusName, StatusGenre), _pullRequest.BuildResultsUrl);
        await _client.ExecuteAsync(token => _client.SendAsync<PullRequestStatus>(HttpMethod.Post, "/statuses", status, token), cancellationToken);

        return new PullRequestPublication($"{_pullRequest.WebUrl}?discussionId={threadId}", updated, _pullRequest.BuildResultsUrl ?? _pullRequest.WebUrl);
    }

    private async Task<(int ThreadId, bool Updated)> UpsertThreadAsync(string content, string threadStatus, CancellationToken cancellationToken)
    {
        var threads = await _client.SendAsync<ListOf<CommentThread>>(HttpMethod.Get, "/threads", null, cancellationToken);
        if (FindReportThread(threads.Value ?? []) is not { } found)
        {
            var created = await _client.SendAsync<CommentThread>(HttpMethod.Post, "/threads",
                new NewCommentThread([new NewComment(0, content, "text")], threadStatus), cancellationToken);
            return (created.Id, false);
        }

        var (thread, first) = found;
        await _client.SendAsync<Comment>(HttpMethod.Patch, $"/threads/{thread.Id}/comments/{first.Id}", new CommentUpdate(content), cancellationToken);
        if (!string.Equals(thread.Status, threadStatus, StringComparison.OrdinalIgnoreCase))
            await _client.SendAsync<CommentThread>(HttpMethod.Patch, $"/threads/{thread.Id}", new CommentThreadUpdate(threadStatus), cancellationToken);
        return (thread.Id, true);
    }

    /// <summary>The oldest live thread whose first comment carries the marker (should an earlier run have left two, the others are left alone).</summary>
    internal static (CommentThread Thread, Comment First)? FindReportThread(IEnumerable<CommentThread> threads) =>
        threads.Where(t => !t.IsDeleted)
            .Select(t => (Thread: t, First: t.Comments?.Where(c => c.ParentCommentId == 0).OrderBy(c => c.Id).FirstOrDefault()))
            .Where(t => t.First is { IsDeleted: false, Content: { } text } && text.Contains(Marker, StringComparison.Ordinal))
            .OrderBy(t => t.Thread.Id)
            .Select(t => ((CommentThread, Comment)?)(t.Thread, t.First!))
            .FirstOrDefault();

    private static string OneLine(string text) =>
        text.Split('\n', '\r').Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0) ?? "";

    public void Dispose() => _client.Dispose();
}
