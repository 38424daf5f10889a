using System.Text.Json.Serialization;

namespace MlOps.Ci.AzureDevOps.Repos;

// The parts of the Azure DevOps Git REST resources (api-version 7.1) the publisher reads and writes. Enums travel as
// their camelCase names, which the service accepts and answers with.
// Threads:  https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-request-threads?view=azure-devops-rest-7.1
// Comments: https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-request-thread-comments?view=azure-devops-rest-7.1
// Statuses: https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-request-statuses?view=azure-devops-rest-7.1

/// <summary>GitPullRequest, as far as the publisher reads it.</summary>
internal sealed record GitPullRequest(int PullRequestId, string? Status, string? Title, GitRepositoryReference? Repository);

internal sealed record GitRepositoryReference(string Id, string? Name, string? WebUrl);

/// <summary>GitPullRequestCommentThread. <c>status</c>: active, fixed, wontFix, closed, byDesign, pending.</summary>
internal sealed record CommentThread(int Id, string? Status, IReadOnlyList<Comment>? Comments, bool IsDeleted = false);

/// <summary>Comment. <c>parentCommentId</c> 0 marks a thread's first comment.</summary>
internal sealed record Comment(int Id, int ParentCommentId, string? Content, bool IsDeleted = false);

/// <summary>The body of Pull Request Threads - Create.</summary>
internal sealed record NewCommentThread(IReadOnlyList<NewComment> Comments, string Status);

internal sealed record NewComment(int ParentCommentId, string Content, string CommentType);

/// <summary>The body of Pull Request Thread Comments - Update.</summary>
internal sealed record CommentUpdate(string Content);

/// <summary>The body of Pull Request Threads - Update.</summary>
internal sealed record CommentThreadUpdate(string Status);

/// <summary>The body of Pull Request Statuses - Create (GitPullRequestStatus). <c>state</c>: succeeded, failed, pending, error, notApplicable.</summary>
internal sealed record NewPullRequestStatus(string State, string Description, StatusContext Context,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TargetUrl);

internal sealed record StatusContext(string Name, string Genre);

/// <summary>GitPullRequestStatus as the service answers it.</summary>
internal sealed record PullRequestStatus(int Id, string? State, string? Description, StatusContext? Context, string? TargetUrl);

/// <summary>A list answer: <c>{"value": [...], "count": n}</c>.</summary>
internal sealed record ListOf<T>(IReadOnlyList<T>? Value, int Count);
