using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlOps.Ci.AzureDevOps.Repos;

namespace MlOps.Ci.AzureDevOps.Tests.Fakes;

/// <summary>
/// A small Azure DevOps organization on 127.0.0.1: one project, one Git repository and one active pull request, with
/// the pull-request thread, comment and status routes of api-version 7.1, and one YAML training pipeline that runs can
/// be queued for (Pipelines - Run Pipeline). It checks what a real service checks
/// (api-version, bearer token, content type, ids) plus the documented body shapes (<see cref="AzureReposContract"/>),
/// answers with the service's bodies (ids, _links, author, dates) and its error shape, and can fail the next requests
/// with a 5xx, 429 or 401 on demand.
/// </summary>
public sealed class FakeAzureDevOps : IAsyncDisposable
{
    public const string Organization = "fabrikam";
    public const string ProjectId = "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c";
    public const string ProjectName = "Fabrikam Fiber";
    public const string RepositoryId = "3411ebc1-d5aa-464f-9615-0b527bc66719";
    public const string RepositoryName = "churn-model";
    public const int PullRequestId = 22;
    public const string Token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake-system-access-token";

    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly List<JsonObject> _threads = [];
    private readonly List<JsonObject> _statuses = [];
    private readonly List<Fault> _faults = [];
    private readonly List<JsonObject> _runs = [];
    private int _nextRunId = 345;
    private int _nextThreadId = 100;
    private int _nextStatusId = 1;

    private FakeAzureDevOps(WebApplication app) => _app = app;

    public Uri CollectionUri { get; private set; } = null!;

    /// <summary>Every request as "METHOD /path?query", in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Every departure from the documented contract the fake saw; a correct client leaves this empty.</summary>
    public ConcurrentQueue<string> ContractViolations { get; } = new();

    /// <summary>The training pipeline (a YAML pipeline in the project) that retraining queues.</summary>
    public const int TrainingPipelineId = 12;
    public const string TrainingPipelineName = "churn-train";

    /// <summary>The <c>parameters:</c> the training pipeline's YAML declares; the service refuses any other template parameter.</summary>
    public IReadOnlyList<string> TrainingPipelineParameters { get; set; } = ["reason", "window", "report"];

    /// <summary>Every run queued, as the service answered it (with the template parameters it was given).</summary>
    public IReadOnlyList<JsonObject> Runs
    {
        get
        {
            lock (_gate)
                return _runs.Select(r => (JsonObject)r.DeepClone()).ToList();
        }
    }

    /// <summary>When set, writes (POST, PATCH) are refused with 403 as for a build identity without "Contribute to pull requests" (or "Queue builds").</summary>
    public bool ReadOnlyIdentity { get; set; }

    public static async Task<FakeAzureDevOps> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeAzureDevOps(app);
        fake.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        fake.CollectionUri = new Uri($"{address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal)}/{Organization}/");
        return fake;
    }

    /// <summary>The pull request as an Azure Pipelines PR build would describe it (project by id, build 4711).</summary>
    public AzureReposPullRequest PullRequest(string token = Token, int pullRequestId = PullRequestId, string repositoryId = RepositoryId) =>
        new(CollectionUri, ProjectId, repositoryId, pullRequestId, token)
        {
            RepositoryWebUrl = $"{CollectionUri}{Uri.EscapeDataString(ProjectName)}/_git/{RepositoryName}",
            BuildResultsUrl = $"{CollectionUri}{Uri.EscapeDataString(ProjectName)}/_build/results?buildId=4711",
        };

    /// <summary>
    /// The next <paramref name="count"/> requests (those to <paramref name="route"/>, e.g. "POST /threads", when
    /// given) fail with <paramref name="status"/>, with Retry-After when <paramref name="retryAfterSeconds"/> is set.
    /// <paramref name="afterHandling"/>: the request is carried out first and only its answer replaced, as when a
    /// gateway times out on a request the service completed.
    /// </summary>
    public void FailNext(int count, HttpStatusCode status, int? retryAfterSeconds = null, string? route = null, bool afterHandling = false)
    {
        lock (_faults)
        {
            for (var i = 0; i < count; i++)
                _faults.Add(new Fault(status, retryAfterSeconds, route, afterHandling));
        }
    }

    private Fault? TakeFault(HttpRequest request, bool afterHandling)
    {
        lock (_faults)
        {
            var fault = _faults.FirstOrDefault(f => f.Matches(request));
            if (fault is null || fault.AfterHandling != afterHandling)
                return null;
            _faults.Remove(fault);
            return fault;
        }
    }

    public IReadOnlyList<JsonObject> Threads
    {
        get
        {
            lock (_gate)
                return _threads.Select(t => (JsonObject)t.DeepClone()).ToList();
        }
    }

    public IReadOnlyList<JsonObject> Statuses
    {
        get
        {
            lock (_gate)
                return _statuses.Select(s => (JsonObject)s.DeepClone()).ToList();
        }
    }

    /// <summary>Adds a thread as another reviewer would (not the report's), to prove the publisher leaves it alone.</summary>
    public int AddReviewerThread(string content)
    {
        lock (_gate)
        {
            var id = _nextThreadId++;
            _threads.Add(Thread(id, "active", [CommentJson(id, 1, 0, content, Reviewer)]));
            return id;
        }
    }

    private string PullRequestRoute => $"/{Organization}/{{project}}/_apis/git/repositories/{{repositoryId}}/pullRequests/{{pullRequestId:int}}";

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            if (TakeFault(context.Request, afterHandling: false) is { } fault)
            {
                await WriteFaultAsync(context, fault);
                return;
            }
            if (await CheckProtocolAsync(context))
                return;
            if (TakeFault(context.Request, afterHandling: true) is { } lost)
            {
                // The service did the work but the answer was lost (a gateway 5xx): the client must not repeat it blindly.
                var answer = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
                context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(new MemoryStream()));
                await next(context);
                context.Features.Set(answer);
                context.Response.Clear();
                await WriteFaultAsync(context, lost);
                return;
            }
            await next(context);
        });

        // https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-requests/get-pull-request?view=azure-devops-rest-7.1
        app.MapGet(PullRequestRoute, (HttpContext context, string project, string repositoryId, int pullRequestId) =>
            Resolve(project, repositoryId, pullRequestId) ?? Results.Json(PullRequestJson()));

        // https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-request-threads/list?view=azure-devops-rest-7.1
        app.MapGet(PullRequestRoute + "/threads", (string project, string repositoryId, int pullRequestId) =>
        {
            if (Resolve(project, repositoryId, pullRequestId) is { } missing)
                return missing;
            lock (_gate)
                return Results.Json(new JsonObject { ["value"] = new JsonArray(_threads.Select(t => (JsonNode)t.DeepClone()).ToArray()), ["count"] = _threads.Count });
        });

        // https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-request-threads/create?view=azure-devops-rest-7.1
        app.MapPost(PullRequestRoute + "/threads", async (HttpContext context, string project, string repositoryId, int pullRequestId) =>
        {
            if (Resolve(project, repositoryId, pullRequestId) is { } missing)
                return missing;
            if (await ReadBodyAsync(context, AzureReposContract.CreateThread) is not { } body)
                return Results.Empty;
            lock (_gate)
            {
                var id = _nextThreadId++;
                var comments = body["comments"]!.AsArray().Select((c, index) =>
                    CommentJson(id, index + 1, c!["parentCommentId"]?.GetValue<int>() ?? 0, c["content"]!.GetValue<string>(), BuildService)).ToArray();
                var thread = Thread(id, body["status"]?.GetValue<string>() ?? "active", comments);
                _threads.Add(thread);
                return Results.Json(thread.DeepClone());
            }
        });

        // https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-request-threads/update?view=azure-devops-rest-7.1
        app.MapPatch(PullRequestRoute + "/threads/{threadId:int}", async (HttpContext context, string project, string repositoryId, int pullRequestId, int threadId) =>
        {
            if (Resolve(project, repositoryId, pullRequestId) is { } missing)
                return missing;
            if (await ReadBodyAsync(context, AzureReposContract.UpdateThread) is not { } body)
                return Results.Empty;
            lock (_gate)
            {
                if (_threads.FirstOrDefault(t => t["id"]!.GetValue<int>() == threadId) is not { } thread)
                    return Error(HttpStatusCode.NotFound, $"TF401181: The requested pull request comment thread {threadId} cannot be found.", "GitPullRequestCommentThreadNotFoundException");
                if (body["status"] is { } status)
                    thread["status"] = status.GetValue<string>();
                thread["lastUpdatedDate"] = Now();
                return Results.Json(thread.DeepClone());
            }
        });

        // https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-request-thread-comments/update?view=azure-devops-rest-7.1
        app.MapPatch(PullRequestRoute + "/threads/{threadId:int}/comments/{commentId:int}", async (HttpContext context, string project, string repositoryId, int pullRequestId, int threadId, int commentId) =>
        {
            if (Resolve(project, repositoryId, pullRequestId) is { } missing)
                return missing;
            if (await ReadBodyAsync(context, AzureReposContract.UpdateComment) is not { } body)
                return Results.Empty;
            lock (_gate)
            {
                var comment = _threads.FirstOrDefault(t => t["id"]!.GetValue<int>() == threadId)?["comments"]!.AsArray()
                    .FirstOrDefault(c => c!["id"]!.GetValue<int>() == commentId);
                if (comment is null)
                    return Error(HttpStatusCode.NotFound, $"TF401182: The requested pull request comment {commentId} cannot be found.", "GitPullRequestCommentNotFoundException");
                comment["content"] = body["content"]!.GetValue<string>();
                comment["lastUpdatedDate"] = Now();
                comment["lastContentUpdatedDate"] = Now();
                return Results.Json(comment.DeepClone());
            }
        });

        // https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-request-statuses/create?view=azure-devops-rest-7.1
        app.MapPost(PullRequestRoute + "/statuses", async (HttpContext context, string project, string repositoryId, int pullRequestId) =>
        {
            if (Resolve(project, repositoryId, pullRequestId) is { } missing)
                return missing;
            if (await ReadBodyAsync(context, AzureReposContract.CreateStatus) is not { } body)
                return Results.Empty;
            lock (_gate)
            {
                var status = (JsonObject)body.DeepClone();
                status["id"] = _nextStatusId++;
                status["creationDate"] = Now();
                status["updatedDate"] = Now();
                status["createdBy"] = BuildService();
                _statuses.Add(status);
                return Results.Json(status.DeepClone());
            }
        });

        // https://learn.microsoft.com/en-us/rest/api/azure/devops/pipelines/runs/run-pipeline?view=azure-devops-rest-7.1
        app.MapPost($"/{Organization}/{{project}}/_apis/pipelines/{{pipelineId:int}}/runs", async (HttpContext context, string project, int pipelineId) =>
        {
            if (ResolveProject(project) is { } missing)
                return missing;
            if (pipelineId != TrainingPipelineId)
                return Error(HttpStatusCode.NotFound, $"Pipeline with id {pipelineId} not found.", "PipelineNotFoundException", "Microsoft.Azure.Pipelines.WebApi");
            if (await ReadBodyAsync(context, AzureReposContract.RunPipeline) is not { } body)
                return Results.Empty;
            var parameters = body["templateParameters"]?.AsObject() ?? [];
            if (parameters.Select(p => p.Key).FirstOrDefault(name => !TrainingPipelineParameters.Contains(name)) is { } unexpected)
                return Error(HttpStatusCode.BadRequest, $"Unexpected parameter '{unexpected}'", "PipelineValidationException", "Microsoft.Azure.Pipelines.WebApi");
            lock (_gate)
            {
                var id = _nextRunId++;
                var refName = body["resources"]?["repositories"]?["self"]?["refName"]?.GetValue<string>() ?? "refs/heads/main";
                var run = RunJson(id, refName, (JsonObject)parameters.DeepClone());
                _runs.Add(run);
                return Results.Json(run.DeepClone());
            }
        });

        app.MapFallback((HttpContext context) =>
        {
            ContractViolations.Enqueue($"{context.Request.Method} {context.Request.Path}: no such route");
            return Error(HttpStatusCode.NotFound, $"The controller for path '{context.Request.Path}' was not found or does not implement IController.", "HttpException");
        });
    }

    /// <summary>What every route checks before its own work: api-version, the bearer token, writes allowed, the JSON content type.</summary>
    private async Task<bool> CheckProtocolAsync(HttpContext context)
    {
        var request = context.Request;
        var version = request.Query["api-version"].ToString();
        if (version != AzureReposContract.ApiVersion)
        {
            ContractViolations.Enqueue($"{request.Method} {request.Path}: api-version '{version}', expected {AzureReposContract.ApiVersion}");
            await Error(HttpStatusCode.BadRequest, version.Length == 0
                    ? $"No api-version was supplied for the \"{request.Method}\" request. The version must be supplied either as part of the Accept header (e.g. \"application/json; api-version=1.0\") or as a query parameter (e.g. '?api-version=1.0')."
                    : $"The requested REST API version of {version} is out of range for this server.",
                version.Length == 0 ? "VssVersionNotSpecifiedException" : "VssVersionOutOfRangeException").ExecuteAsync(context);
            return true;
        }
        if (request.Headers.Authorization.ToString() != $"Bearer {Token}")
        {
            // The service answers an unknown or missing token with an empty 401 and a challenge, not a JSON error.
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer authorization_uri=https://login.microsoftonline.com/common";
            context.Response.Headers["X-TFS-FedAuthRedirect"] = "https://spsprodweu5.vssps.visualstudio.com/_signin";
            return true;
        }
        if (ReadOnlyIdentity && !HttpMethods.IsGet(request.Method) && request.Path.Value!.Contains("/_apis/pipelines/", StringComparison.Ordinal))
        {
            await Error(HttpStatusCode.Forbidden, $"TF215106: Access denied. {ProjectName} Build Service ({Organization}) needs Queue builds permissions for build pipeline {TrainingPipelineName} in team project {ProjectName} to perform the action. For more information, contact the Azure DevOps Server administrator.",
                "AccessDeniedException", "Microsoft.TeamFoundation.Build.WebApi").ExecuteAsync(context);
            return true;
        }
        if (ReadOnlyIdentity && !HttpMethods.IsGet(request.Method))
        {
            await Error(HttpStatusCode.Forbidden, "TF401027: You need the Git 'PullRequestContribute' permission to perform this action. Details: identity 'Build\\6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c', scope 'repository'.",
                "GitNeedsPermissionException").ExecuteAsync(context);
            return true;
        }
        if (!HttpMethods.IsGet(request.Method) && request.ContentType?.Split(';')[0].Trim() != "application/json")
        {
            ContractViolations.Enqueue($"{request.Method} {request.Path}: content type '{request.ContentType}', expected application/json");
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return true;
        }
        return false;
    }

    private async Task<JsonObject?> ReadBodyAsync(HttpContext context, AzureReposContract.Shape shape)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body);
        }
        catch (JsonException exception)
        {
            ContractViolations.Enqueue($"{context.Request.Method} {context.Request.Path}: body is not JSON ({exception.Message})");
            await Error(HttpStatusCode.BadRequest, "Value cannot be null.\r\nParameter name: body", "ArgumentNullException").ExecuteAsync(context);
            return null;
        }
        using (document)
        {
            var violations = shape.Violations(document.RootElement);
            if (violations.Count > 0)
            {
                foreach (var violation in violations)
                    ContractViolations.Enqueue($"{context.Request.Method} {context.Request.Path}: {violation}");
                await Error(HttpStatusCode.BadRequest, $"The request body is invalid: {string.Join("; ", violations)}", "InvalidArgumentValueException").ExecuteAsync(context);
                return null;
            }
            return JsonNode.Parse(document.RootElement.GetRawText())!.AsObject();
        }
    }

    private static IResult? ResolveProject(string project) => project != ProjectId && project != ProjectName
        ? Error(HttpStatusCode.NotFound, $"TF200016: The following project does not exist: {project}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.", "ProjectDoesNotExistWithNameException")
        : null;

    /// <summary>404s in the service's words for a project, repository or pull request that does not exist.</summary>
    private static IResult? Resolve(string project, string repositoryId, int pullRequestId)
    {
        if (ResolveProject(project) is { } missing)
            return missing;
        if (!repositoryId.Equals(RepositoryId, StringComparison.OrdinalIgnoreCase) && repositoryId != RepositoryName)
            return Error(HttpStatusCode.NotFound, $"TF401019: The Git repository with name or identifier {repositoryId} does not exist or you do not have permissions for the operation you are attempting.", "GitRepositoryNotFoundException");
        if (pullRequestId != PullRequestId)
            return Error(HttpStatusCode.NotFound, $"TF401180: The requested pull request was not found.", "GitPullRequestNotFoundException");
        return null;
    }

    /// <summary>The service's error body (a serialized WrappedException).</summary>
    private static IResult Error(HttpStatusCode status, string message, string typeKey, string assembly = "Microsoft.TeamFoundation.Git.Server") => Results.Json(new JsonObject
    {
        ["$id"] = "1",
        ["innerException"] = null,
        ["message"] = message,
        ["typeName"] = $"{assembly}.{typeKey}, {assembly}",
        ["typeKey"] = typeKey,
        ["errorCode"] = 0,
        ["eventId"] = 3000,
    }, statusCode: (int)status);

    private static async Task WriteFaultAsync(HttpContext context, Fault fault)
    {
        if (fault.RetryAfterSeconds is { } seconds)
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (message, typeKey) = fault.Status switch
        {
            HttpStatusCode.TooManyRequests => ("TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'Concurrency' in namespace 'User'.", "RequestBlockedException"),
            HttpStatusCode.Unauthorized => ("TF400813: The user 'Build' is not authorized to access this resource.", "UnauthorizedRequestException"),
            _ => ("TF246017: Azure DevOps Services could not connect to the database. Verify that the server that is hosting the database is operational.", "DatabaseConnectionException"),
        };
        await Error(fault.Status, message, typeKey).ExecuteAsync(context);
    }

    private JsonObject PullRequestJson() => new()
    {
        ["repository"] = RepositoryJson(),
        ["pullRequestId"] = PullRequestId,
        ["codeReviewId"] = PullRequestId,
        ["status"] = "active",
        ["createdBy"] = Reviewer(),
        ["creationDate"] = "2026-11-20T09:14:03.1234567Z",
        ["title"] = "Add support calls to the churn features",
        ["description"] = "Retrains the churn model with SupportCalls.",
        ["sourceRefName"] = "refs/heads/feature/support-calls",
        ["targetRefName"] = "refs/heads/main",
        ["mergeStatus"] = "succeeded",
        ["isDraft"] = false,
        ["mergeId"] = "f5fc8381-3fb2-49fe-8a0d-27dcc2d6ef82",
        ["lastMergeSourceCommit"] = new JsonObject { ["commitId"] = "b60280bc6e62e2f880f1b63c1e24987664d3bda3", ["url"] = $"{ApiRoot}/commits/b60280bc6e62e2f880f1b63c1e24987664d3bda3" },
        ["lastMergeTargetCommit"] = new JsonObject { ["commitId"] = "f47bbc106853afe3c1b07a81754bce5f4b8dbf62", ["url"] = $"{ApiRoot}/commits/f47bbc106853afe3c1b07a81754bce5f4b8dbf62" },
        ["reviewers"] = new JsonArray(),
        ["url"] = $"{ApiRoot}/pullRequests/{PullRequestId}",
        ["supportsIterations"] = true,
        ["artifactId"] = $"vstfs:///Git/PullRequestId/{ProjectId}%2f{RepositoryId}%2f{PullRequestId}",
    };

    /// <summary>A Run as the service answers Run Pipeline: queued, in progress, named by the day's build number.</summary>
    private JsonObject RunJson(int id, string refName, JsonObject templateParameters)
    {
        var pipelineApi = $"{CollectionUri}{ProjectId}/_apis/pipelines/{TrainingPipelineId}";
        var web = $"{CollectionUri}{Uri.EscapeDataString(ProjectName)}/_build/results?buildId={id}";
        return new JsonObject
        {
            ["_links"] = new JsonObject
            {
                ["self"] = new JsonObject { ["href"] = $"{pipelineApi}/runs/{id}" },
                ["web"] = new JsonObject { ["href"] = web },
                ["pipeline.web"] = new JsonObject { ["href"] = $"{CollectionUri}{Uri.EscapeDataString(ProjectName)}/_build/definition?definitionId={TrainingPipelineId}" },
                ["pipeline"] = new JsonObject { ["href"] = $"{pipelineApi}?revision=3" },
            },
            ["templateParameters"] = templateParameters,
            ["pipeline"] = new JsonObject { ["url"] = $"{pipelineApi}?revision=3", ["id"] = TrainingPipelineId, ["revision"] = 3, ["name"] = TrainingPipelineName, ["folder"] = "\\" },
            ["state"] = "inProgress",
            ["createdDate"] = Now(),
            ["url"] = $"{pipelineApi}/runs/{id}",
            ["resources"] = new JsonObject
            {
                ["repositories"] = new JsonObject
                {
                    ["self"] = new JsonObject
                    {
                        ["repository"] = new JsonObject { ["id"] = RepositoryId, ["type"] = "azureReposGit" },
                        ["refName"] = refName,
                        ["version"] = "f47bbc106853afe3c1b07a81754bce5f4b8dbf62",
                    },
                },
            },
            ["id"] = id,
            ["name"] = $"20261127.{id - 344}",
        };
    }

    private JsonObject RepositoryJson() => new()
    {
        ["id"] = RepositoryId,
        ["name"] = RepositoryName,
        ["url"] = ApiRoot,
        ["project"] = new JsonObject { ["id"] = ProjectId, ["name"] = ProjectName, ["state"] = "wellFormed", ["visibility"] = "private", ["lastUpdateTime"] = "2026-10-01T08:00:00Z" },
    };

    private string ApiRoot => $"{CollectionUri}{ProjectId}/_apis/git/repositories/{RepositoryId}";

    private JsonObject Thread(int id, string status, JsonObject[] comments) => new()
    {
        ["pullRequestThreadContext"] = null,
        ["id"] = id,
        ["publishedDate"] = Now(),
        ["lastUpdatedDate"] = Now(),
        ["comments"] = new JsonArray(comments.Cast<JsonNode>().ToArray()),
        ["status"] = status,
        ["threadContext"] = null,
        ["properties"] = new JsonObject(),
        ["identities"] = null,
        ["isDeleted"] = false,
        ["_links"] = new JsonObject
        {
            ["self"] = new JsonObject { ["href"] = $"{ApiRoot}/pullRequests/{PullRequestId}/threads/{id}" },
            ["repository"] = new JsonObject { ["href"] = ApiRoot },
        },
    };

    private JsonObject CommentJson(int threadId, int id, int parentCommentId, string content, Func<JsonObject> author) => new()
    {
        ["id"] = id,
        ["parentCommentId"] = parentCommentId,
        ["author"] = author(),
        ["content"] = content,
        ["publishedDate"] = Now(),
        ["lastUpdatedDate"] = Now(),
        ["lastContentUpdatedDate"] = Now(),
        ["commentType"] = "text",
        ["usersLiked"] = new JsonArray(),
        ["_links"] = new JsonObject
        {
            ["self"] = new JsonObject { ["href"] = $"{ApiRoot}/pullRequests/{PullRequestId}/threads/{threadId}/comments/{id}" },
            ["repository"] = new JsonObject { ["href"] = ApiRoot },
            ["threads"] = new JsonObject { ["href"] = $"{ApiRoot}/pullRequests/{PullRequestId}/threads/{threadId}" },
            ["pullRequests"] = new JsonObject { ["href"] = $"{ApiRoot}/pullRequests/{PullRequestId}" },
        },
    };

    private JsonObject BuildService() => Identity("Fabrikam Fiber Build Service (fabrikam)", "Build\\6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c", "c1bd7a1a-4d8b-4b69-a6c8-2d4a5e6b3a11");

    private JsonObject Reviewer() => Identity("Mateo Escobedo", "mateo@fabrikam.example", "d6245f20-2af8-44f4-9451-8107cb2767db");

    private JsonObject Identity(string displayName, string uniqueName, string id) => new()
    {
        ["displayName"] = displayName,
        ["url"] = $"{CollectionUri}_apis/Identities/{id}",
        ["_links"] = new JsonObject { ["avatar"] = new JsonObject { ["href"] = $"{CollectionUri}_apis/GraphProfile/MemberAvatars/aad.{id}" } },
        ["id"] = id,
        ["uniqueName"] = uniqueName,
        ["imageUrl"] = $"{CollectionUri}_api/_common/identityImage?id={id}",
        ["descriptor"] = $"aad.{id}",
    };

    private static string Now() => DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private sealed record Fault(HttpStatusCode Status, int? RetryAfterSeconds, string? Route, bool AfterHandling)
    {
        public bool Matches(HttpRequest request) =>
            Route is null || (Route.Split(' ') is [var method, var suffix] && request.Method == method && request.Path.Value!.EndsWith(suffix, StringComparison.Ordinal));
    }
}
