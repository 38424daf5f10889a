namespace MlOps.Ci.Automation;

/// <summary>
/// The quality report for one pull request as the review surfaces show it: <see cref="Markdown"/> is the whole
/// comment body (metrics table, input changes, chart); <see cref="Summary"/> a one-line verdict for check runs and
/// PR statuses.
/// </summary>
public sealed record QualityReport(string Title, string Summary, string Markdown, bool Passed);

/// <summary>Where the report landed: the one comment (created or updated in place) and the verdict's check or status.</summary>
public sealed record PullRequestPublication(string CommentUrl, bool CommentUpdated, string? VerdictUrl);

/// <summary>
/// Posts the quality report to the pull request of the current build: one comment found by a hidden marker and
/// updated in place on every push (never duplicated), and the verdict as a check run (GitHub) or PR status
/// (Azure Repos).
/// </summary>
public interface IPullRequestPublisher
{
    Task<PullRequestPublication> PublishAsync(QualityReport report, CancellationToken cancellationToken = default);
}
