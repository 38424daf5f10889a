using System.Net;
using MlOps.Ci.Automation;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.GitHub.Api;
using Octokit;

namespace MlOps.Ci.GitHub.PullRequests;

/// <summary>
/// Posts the quality report to a pull request: one comment, found again on every push by a hidden marker on its first
/// line (all pages of the PR's comments are searched) and edited in place, and a check run on the head commit whose
/// conclusion is the gate verdict (edited in place too when the same commit is reported again).
/// </summary>
public sealed class GitHubPullRequestPublisher : IPullRequestPublisher
{
    /// <summary>GitHub's limits: a comment body of 65,536 characters, a check run summary of 65,535.</summary>
    internal const int MaxCommentLength = 65_536;
    internal const int MaxCheckRunSummaryLength = 65_535;
    private const string CutNote = "\n\n_(cut to fit GitHub's size limit; the full report is in the job's step summary)_";

    private readonly GitHubApi _api;
    private readonly int _number;
    private readonly string _headSha;
    private readonly string? _reportKey;

    /// <summary>A publisher for pull request <paramref name="pullRequestNumber"/> at <paramref name="headSha"/>.</summary>
    /// <param name="api">The repository's API.</param>
    /// <param name="pullRequestNumber">The pull request (issue) number.</param>
    /// <param name="headSha">The commit the check run is attached to.</param>
    /// <param name="reportKey">Tells reports apart when one pull request has several (e.g. one per model); null for one.</param>
    public GitHubPullRequestPublisher(GitHubApi api, int pullRequestNumber, string headSha, string? reportKey = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pullRequestNumber);
        ArgumentException.ThrowIfNullOrEmpty(headSha);
        _api = api;
        _number = pullRequestNumber;
        _headSha = headSha;
        _reportKey = reportKey;
    }

    /// <summary>The hidden first line that marks the report's comment (HTML comments do not render).</summary>
    public string Marker => _reportKey is null ? "<!-- mlops-ci:report -->" : $"<!-- mlops-ci:report {_reportKey.Replace("--", "-", StringComparison.Ordinal)} -->";

    public string CheckRunName => _reportKey is null ? "mlops quality gate" : $"mlops quality gate ({_reportKey})";

    public async Task<PullRequestPublication> PublishAsync(QualityReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        var (comment, updated) = await UpsertCommentAsync(report).ConfigureAwait(false);
        var checkRun = await UpsertCheckRunAsync(report).ConfigureAwait(false);
        return new PullRequestPublication(comment.HtmlUrl, updated, checkRun.HtmlUrl);
    }

    private async Task<(IssueComment Comment, bool Updated)> UpsertCommentAsync(QualityReport report)
    {
        var (owner, name) = (_api.Repository.Owner, _api.Repository.Name);
        var body = Fit($"{Marker}\n{report.Markdown}", MaxCommentLength);
        var listPath = _api.RepoPath($"/issues/{_number}/comments");
        var comments = await _api.SendAsync("GET", listPath,
            // Not Issue.Comment.GetAllForIssue: it adds sort/direction, which this route does not take (GitHub ignores them).
            () => _api.Connection.GetAll<IssueComment>(_api.RelativeUri($"/issues/{_number}/comments"), new Dictionary<string, string>(),
                new ApiOptions { PageSize = 100 }), PullRequestMissing("GET", listPath)).ConfigureAwait(false);
        // The oldest marked comment is the report; a marker quoted later in a reply is never the report itself.
        var existing = comments.Where(c => c.Body is { } text && text.StartsWith(Marker, StringComparison.Ordinal)).MinBy(c => c.Id);
        if (existing is not null)
        {
            var path = _api.RepoPath($"/issues/comments/{existing.Id}");
            var edited = await _api.SendAsync("PATCH", path, () => _api.Client.Issue.Comment.Update(owner, name, existing.Id, body)).ConfigureAwait(false);
            return (edited, true);
        }
        var created = await _api.SendAsync("POST", listPath, () => _api.Client.Issue.Comment.Create(owner, name, _number, body), PullRequestMissing("POST", listPath)).ConfigureAwait(false);
        return (created, false);
    }

    private async Task<CheckRun> UpsertCheckRunAsync(QualityReport report)
    {
        var (owner, name) = (_api.Repository.Owner, _api.Repository.Name);
        var output = new NewCheckRunOutput(Fit(report.Title, 1000), Fit($"{report.Summary}\n\n{report.Markdown}", MaxCheckRunSummaryLength));
        var conclusion = report.Passed ? CheckConclusion.Success : CheckConclusion.Failure;
        var listPath = _api.RepoPath($"/commits/{_headSha}/check-runs");
        var runs = await _api.SendAsync("GET", listPath, () => _api.Client.Check.Run.GetAllForReference(owner, name, _headSha,
            new CheckRunRequest { CheckName = CheckRunName, Filter = CheckRunCompletedAtFilter.Latest })).ConfigureAwait(false);
        if (runs.CheckRuns.FirstOrDefault(r => r.Name == CheckRunName) is { } run)
        {
            return await _api.SendAsync("PATCH", _api.RepoPath($"/check-runs/{run.Id}"), () => _api.Client.Check.Run.Update(owner, name, run.Id, new CheckRunUpdate
            {
                Status = CheckStatus.Completed,
                Conclusion = conclusion,
                CompletedAt = DateTimeOffset.UtcNow,
                Output = output,
            })).ConfigureAwait(false);
        }
        return await _api.SendAsync("POST", _api.RepoPath("/check-runs"), () => _api.Client.Check.Run.Create(owner, name, new NewCheckRun(CheckRunName, _headSha)
        {
            Status = CheckStatus.Completed,
            Conclusion = conclusion,
            CompletedAt = DateTimeOffset.UtcNow,
            Output = output,
        })).ConfigureAwait(false);
    }

    private Func<ApiException, MlOpsException?> PullRequestMissing(string method, string path) => exception =>
        exception.StatusCode == HttpStatusCode.NotFound
            ? new MlOpsException(Diagnostic.Error(DiagnosticCodes.GitHubPullRequestNotFound,
                $"{method} {path}: GitHub answered 404: pull request #{_number} does not exist in {_api.Repository} or the token cannot see it.",
                hint: "Check the pull-request number (from the event payload) and that GITHUB_REPOSITORY and the token belong to the same repository."), exception)
            : null;

    private static string Fit(string text, int limit) =>
        text.Length <= limit ? text : text[..(limit - CutNote.Length)] + CutNote;
}
