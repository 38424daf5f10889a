using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MlOps.Ci.GitHub.Tests.Fake;

/// <summary>
/// A GitHub REST API on 127.0.0.1 for the routes MlOps.Ci.GitHub calls, with state (comments, check runs, deployments
/// and their statuses, workflow dispatches) and GitHub's behaviour where it matters (pagination with Link headers,
/// auto_inactive as GitHub documents it, 403 for a read-only token, 404 for an unknown pull request, 422s). Every
/// request is checked against GitHub's OpenAPI description before it is served, and every response after: a
/// request the description does not allow is answered 422 and recorded in <see cref="Violations"/>, as is a
/// response of the fake's own that breaks the description. Faults (5xx, rate limits, 422) can be queued per route.
/// </summary>
public sealed class FakeGitHub : IAsyncDisposable
{
    public const string Owner = "octo-org";
    public const string Repo = "churn-model";
    public const string WriteToken = "ghs_fakeWriteToken0123456789";
    public const string ReadOnlyToken = "ghs_fakeReadOnlyToken0123456789";
    private const string Docs = "https://docs.github.com/rest";

    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly List<Fault> _faults = [];
    private long _nextId = 1000;

    private FakeGitHub(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>GITHUB_API_URL for this fake: like GitHub Enterprise Server, the API lives below /api/v3.</summary>
    public string ApiUrl => new Uri(BaseAddress, "api/v3").ToString();

    public HashSet<int> PullRequests { get; } = [];
    public List<FakeComment> Comments { get; } = [];
    public List<FakeCheckRun> CheckRuns { get; } = [];
    public List<FakeDeployment> Deployments { get; } = [];
    public List<FakeDispatch> Dispatches { get; } = [];

    /// <summary>Workflow files that have a workflow_dispatch trigger, with the inputs they declare.</summary>
    public Dictionary<string, string[]> Workflows { get; } = new(StringComparer.Ordinal);

    public List<RecordedRequest> Requests { get; } = [];
    public List<string> Violations { get; } = [];

    public static async Task<FakeGitHub> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeGitHub(app);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Urls.First();
        fake.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>The next <paramref name="count"/> requests of an operation (after <paramref name="skip"/> of them) get this answer.</summary>
    public void FailNext(string operationId, int count, HttpStatusCode status, string? message = null, int? retryAfterSeconds = null,
        bool rateLimitSpent = false, long? rateLimitReset = null, int skip = 0)
    {
        lock (_gate)
            _faults.Add(new Fault(operationId, count, status, message, retryAfterSeconds, rateLimitSpent, rateLimitReset, skip));
    }

    public int CountOf(string operationId)
    {
        lock (_gate)
            return Requests.Count(r => r.OperationId == operationId);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Seeds a deployment as another workflow would have left it (statuses oldest first).</summary>
    public FakeDeployment SeedDeployment(string environment, string sha, IDictionary<string, string> payload, params string[] states)
    {
        lock (_gate)
        {
            var deployment = NewDeployment(sha, environment, new JsonObject(payload.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))), "seeded", null, null);
            foreach (var state in states)
                deployment.Statuses.Add(new FakeDeploymentStatus(++_nextId, state, "seeded", "", "", environment, DateTimeOffset.UtcNow));
            return deployment;
        }
    }

    public FakeComment SeedComment(int issue, string body)
    {
        lock (_gate)
        {
            var comment = new FakeComment(++_nextId, issue, body, DateTimeOffset.UtcNow);
            Comments.Add(comment);
            return comment;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        string? body = null;
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
            body = await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync();
        Answer answer;
        lock (_gate)
            answer = Serve(request, body);
        context.Response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers)
            context.Response.Headers[name] = value;
        if (answer.Body is { } json)
        {
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync(json.ToJsonString());
        }
    }

    private Answer Serve(HttpRequest request, string? body)
    {
        var path = request.Path.Value ?? "";
        const string prefix = "/api/v3";
        if (!path.StartsWith(prefix + "/", StringComparison.Ordinal))
            return Violation($"{request.Method} {path}: not below {prefix}/ (the API root GITHUB_API_URL names)", 404);
        path = path[prefix.Length..];
        var match = OpenApiDescription.GitHub.Match(request.Method, path);
        if (match is null)
            return Violation($"{request.Method} {path}: GitHub's description has no such operation", 404);
        var (operation, parameters) = match.Value;
        var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        var token = request.Headers.Authorization.ToString().Split(' ', 2) is [_, var t] ? t : "";
        var recorded = new RecordedRequest(request.Method, path + request.QueryString, operation.OperationId, body, token);
        Requests.Add(recorded);

        var problems = OpenApiDescription.CheckRequest(operation, parameters, query, body);
        if (problems.Count > 0)
        {
            Violations.AddRange(problems.Select(p => $"{request.Method} {path}: {p}"));
            return Answer.Error(422, "Invalid request.\n\n" + string.Join("\n", problems));
        }
        if (token is not (WriteToken or ReadOnlyToken))
            return Checked(operation, Answer.Error(401, "Bad credentials"));
        if (TakeFault(operation.OperationId) is { } fault)
            return Checked(operation, fault);
        if (token == ReadOnlyToken && request.Method != "GET")
            return Checked(operation, Answer.Error(403, "Resource not accessible by integration"));

        var node = string.IsNullOrWhiteSpace(body) ? null : JsonNode.Parse(body)!.AsObject();
        var baseUrl = $"{request.Scheme}://{request.Host}{prefix}";
        var answer = operation.OperationId switch
        {
            "issues/list-comments" => ListComments(int.Parse(parameters["issue_number"], CultureInfo.InvariantCulture), query, baseUrl + path),
            "issues/create-comment" => CreateComment(int.Parse(parameters["issue_number"], CultureInfo.InvariantCulture), (string)node!["body"]!),
            "issues/update-comment" => UpdateComment(long.Parse(parameters["comment_id"], CultureInfo.InvariantCulture), (string)node!["body"]!),
            "checks/create" => CreateCheckRun(node!),
            "checks/update" => UpdateCheckRun(long.Parse(parameters["check_run_id"], CultureInfo.InvariantCulture), node!),
            "checks/list-for-ref" => ListCheckRuns(parameters["ref"], query),
            "repos/create-deployment" => CreateDeployment(node!),
            "repos/list-deployments" => ListDeployments(query, baseUrl + path),
            "repos/create-deployment-status" => CreateDeploymentStatus(long.Parse(parameters["deployment_id"], CultureInfo.InvariantCulture), node!),
            "repos/list-deployment-statuses" => ListDeploymentStatuses(long.Parse(parameters["deployment_id"], CultureInfo.InvariantCulture), query, baseUrl + path),
            "actions/create-workflow-dispatch" => Dispatch(parameters["workflow_id"], node!),
            _ => Answer.Error(501, $"the fake does not serve {operation.OperationId}"),
        };
        recorded.Status = answer.Status;
        return Checked(operation, answer);
    }

    private Answer Checked(OpenApiOperation operation, Answer answer)
    {
        var problems = OpenApiDescription.CheckResponse(operation, answer.Status, answer.Body?.ToJsonString());
        Violations.AddRange(problems.Select(p => $"fake's own answer to {operation.OperationId}: {p}"));
        if (Requests.Count > 0)
            Requests[^1].Status = answer.Status;
        return answer;
    }

    private Answer Violation(string problem, int status)
    {
        Violations.Add(problem);
        return Answer.Error(status, "Not Found");
    }

    private Answer? TakeFault(string operationId)
    {
        var fault = _faults.FirstOrDefault(f => f.OperationId == operationId);
        if (fault is null)
            return null;
        if (fault.Skip > 0)
        {
            fault.Skip--;
            return null;
        }
        if (--fault.Count <= 0)
            _faults.Remove(fault);
        var status = (int)fault.Status;
        var message = fault.Message ?? status switch
        {
            403 or 429 when fault.RateLimitSpent => "API rate limit exceeded for installation ID 1.",
            403 or 429 => "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            422 => "Validation Failed",
            _ => "Server Error",
        };
        var answer = Answer.Error(status, message);
        if (fault.RetryAfterSeconds is { } after)
            answer.Headers["Retry-After"] = after.ToString(CultureInfo.InvariantCulture);
        if (fault.RateLimitSpent)
        {
            answer.Headers["x-ratelimit-limit"] = "5000";
            answer.Headers["x-ratelimit-remaining"] = "0";
            answer.Headers["x-ratelimit-reset"] = (fault.RateLimitReset ?? DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture);
        }
        return answer;
    }

    // ---- issue comments ----

    private Answer ListComments(int issue, IReadOnlyDictionary<string, string> query, string url)
    {
        if (!PullRequests.Contains(issue))
            return Answer.Error(404, "Not Found");
        return Page(Comments.Where(c => c.Issue == issue).OrderBy(c => c.Id).Select(CommentJson).ToList(), query, url);
    }

    private Answer CreateComment(int issue, string body)
    {
        if (!PullRequests.Contains(issue))
            return Answer.Error(404, "Not Found");
        var comment = new FakeComment(++_nextId, issue, body, DateTimeOffset.UtcNow);
        Comments.Add(comment);
        return new Answer(201, CommentJson(comment));
    }

    private Answer UpdateComment(long id, string body)
    {
        if (Comments.FirstOrDefault(c => c.Id == id) is not { } comment)
            return Answer.Error(404, "Not Found");
        comment.Body = body;
        comment.UpdatedAt = DateTimeOffset.UtcNow;
        return new Answer(200, CommentJson(comment));
    }

    private JsonObject CommentJson(FakeComment c) => new()
    {
        ["id"] = c.Id,
        ["node_id"] = $"IC_{c.Id}",
        ["url"] = Api($"/repos/{Owner}/{Repo}/issues/comments/{c.Id}"),
        ["html_url"] = Web($"/{Owner}/{Repo}/pull/{c.Issue}#issuecomment-{c.Id}"),
        ["body"] = c.Body,
        ["user"] = Bot(),
        ["created_at"] = Time(c.CreatedAt),
        ["updated_at"] = Time(c.UpdatedAt),
        ["issue_url"] = Api($"/repos/{Owner}/{Repo}/issues/{c.Issue}"),
        ["author_association"] = "NONE",
        ["performed_via_github_app"] = null,
    };

    // ---- check runs ----

    private Answer CreateCheckRun(JsonObject body)
    {
        var run = new FakeCheckRun(++_nextId, (string)body["name"]!, (string)body["head_sha"]!);
        Apply(run, body);
        CheckRuns.Add(run);
        return new Answer(201, CheckRunJson(run));
    }

    private Answer UpdateCheckRun(long id, JsonObject body)
    {
        if (CheckRuns.FirstOrDefault(r => r.Id == id) is not { } run)
            return Answer.Error(404, "Not Found");
        Apply(run, body);
        return new Answer(200, CheckRunJson(run));
    }

    private static void Apply(FakeCheckRun run, JsonObject body)
    {
        run.Name = (string?)body["name"] ?? run.Name;
        run.Conclusion = (string?)body["conclusion"] ?? run.Conclusion;
        run.Status = (string?)body["status"] ?? (run.Conclusion is null ? run.Status : "completed");
        if (body["output"] is JsonObject output)
        {
            run.Title = (string?)output["title"];
            run.Summary = (string?)output["summary"];
        }
        run.Updates++;
    }

    private Answer ListCheckRuns(string reference, IReadOnlyDictionary<string, string> query)
    {
        var runs = CheckRuns.Where(r => r.HeadSha == reference && (!query.TryGetValue("check_name", out var name) || r.Name == name))
            .OrderByDescending(r => r.Id).Select(CheckRunJson).ToList();
        return new Answer(200, new JsonObject { ["total_count"] = runs.Count, ["check_runs"] = new JsonArray([.. runs]) });
    }

    private JsonObject CheckRunJson(FakeCheckRun r) => new()
    {
        ["id"] = r.Id,
        ["head_sha"] = r.HeadSha,
        ["node_id"] = $"CR_{r.Id}",
        ["external_id"] = "",
        ["url"] = Api($"/repos/{Owner}/{Repo}/check-runs/{r.Id}"),
        ["html_url"] = Web($"/{Owner}/{Repo}/runs/{r.Id}"),
        ["details_url"] = Web($"/{Owner}/{Repo}/runs/{r.Id}"),
        ["status"] = r.Status,
        ["conclusion"] = r.Conclusion,
        ["started_at"] = Time(r.CreatedAt),
        ["completed_at"] = r.Status == "completed" ? Time(DateTimeOffset.UtcNow) : null,
        ["output"] = new JsonObject
        {
            ["title"] = r.Title,
            ["summary"] = r.Summary,
            ["text"] = null,
            ["annotations_count"] = 0,
            ["annotations_url"] = Api($"/repos/{Owner}/{Repo}/check-runs/{r.Id}/annotations"),
        },
        ["name"] = r.Name,
        ["check_suite"] = new JsonObject { ["id"] = 5000 },
        ["app"] = ActionsApp(),
        ["pull_requests"] = new JsonArray(),
    };

    // ---- deployments ----

    private Answer CreateDeployment(JsonObject body)
    {
        var environment = (string?)body["environment"] ?? "production";
        var payload = body["payload"] switch
        {
            JsonObject o => (JsonObject)o.DeepClone(),
            JsonValue v when v.TryGetValue<string>(out var text) && text.Length > 0 => JsonNode.Parse(text)!.AsObject(),
            _ => new JsonObject(),
        };
        // Without required_contexts GitHub checks every commit status context first; without auto_merge=false it
        // tries to merge the default branch into the ref. The fake has neither, so it insists on both being explicit.
        if (body["required_contexts"] is not JsonArray)
            return Answer.Error(409, "Conflict: Commit status checks failed for " + (string?)body["ref"]);
        if ((bool?)body["auto_merge"] is not false)
            return new Answer(202, new JsonObject { ["message"] = "Auto-merged main into topic branch." });
        var deployment = NewDeployment((string)body["ref"]!, environment, payload, (string?)body["description"] ?? "",
            (bool?)body["transient_environment"], (bool?)body["production_environment"]);
        deployment.Task = (string?)body["task"] ?? "deploy";
        return new Answer(201, DeploymentJson(deployment));
    }

    private FakeDeployment NewDeployment(string reference, string environment, JsonObject payload, string description, bool? transient, bool? production)
    {
        var deployment = new FakeDeployment(++_nextId, reference, Sha(reference), environment, payload, description,
            transient ?? false, production ?? environment == "production", DateTimeOffset.UtcNow);
        Deployments.Add(deployment);
        return deployment;
    }

    private Answer ListDeployments(IReadOnlyDictionary<string, string> query, string url) =>
        Page(Deployments
            .Where(d => !query.TryGetValue("environment", out var environment) || d.Environment == environment)
            .Where(d => !query.TryGetValue("sha", out var sha) || d.Sha == sha)
            .Where(d => !query.TryGetValue("ref", out var reference) || d.Ref == reference)
            .OrderByDescending(d => d.Id).Select(DeploymentJson).ToList(), query, url);

    private Answer CreateDeploymentStatus(long id, JsonObject body)
    {
        if (Deployments.FirstOrDefault(d => d.Id == id) is not { } deployment)
            return Answer.Error(404, "Not Found");
        var state = (string)body["state"]!;
        var description = (string?)body["description"] ?? "";
        if (description.Length > 140)
            return ValidationFailed("DeploymentStatus", "description", "custom", "description is too long (maximum is 140 characters)");
        var logUrl = (string?)body["log_url"] ?? (string?)body["target_url"] ?? "";
        var environment = (string?)body["environment"] ?? deployment.Statuses.LastOrDefault()?.Environment ?? deployment.Environment;
        var status = new FakeDeploymentStatus(++_nextId, state, description, logUrl, (string?)body["environment_url"] ?? "", environment, DateTimeOffset.UtcNow);
        deployment.Statuses.Add(status);
        // GitHub's documented auto_inactive (default true): "Adds a new inactive status to all prior non-transient,
        // non-production environment deployments with the same repository and environment name as the created
        // status's deployment. An inactive status is only added to deployments that had a success state." The
        // description names no state of the created status, so the fake applies it to any state; a client that
        // wants it only on success must say auto_inactive=false on the others.
        if ((bool?)body["auto_inactive"] ?? true)
        {
            foreach (var prior in Deployments.Where(d => d.Id < deployment.Id && d.Environment == environment && !d.Transient && !d.Production
                                                         && d.Statuses.LastOrDefault()?.State == "success"))
            {
                prior.Statuses.Add(new FakeDeploymentStatus(++_nextId, "inactive", "", "", "", environment, DateTimeOffset.UtcNow));
            }
        }
        return new Answer(201, StatusJson(deployment, status));
    }

    private Answer ListDeploymentStatuses(long id, IReadOnlyDictionary<string, string> query, string url) =>
        Deployments.FirstOrDefault(d => d.Id == id) is { } deployment
            ? Page(deployment.Statuses.OrderByDescending(s => s.Id).Select(s => StatusJson(deployment, s)).ToList(), query, url)
            : Answer.Error(404, "Not Found");

    private JsonObject DeploymentJson(FakeDeployment d) => new()
    {
        ["url"] = Api($"/repos/{Owner}/{Repo}/deployments/{d.Id}"),
        ["id"] = d.Id,
        ["node_id"] = $"DE_{d.Id}",
        ["sha"] = d.Sha,
        ["ref"] = d.Ref,
        ["task"] = d.Task,
        ["payload"] = d.Payload.DeepClone(),
        ["original_environment"] = d.Environment,
        ["environment"] = d.Environment,
        ["description"] = d.Description,
        ["creator"] = Bot(),
        ["created_at"] = Time(d.CreatedAt),
        ["updated_at"] = Time(d.CreatedAt),
        ["statuses_url"] = Api($"/repos/{Owner}/{Repo}/deployments/{d.Id}/statuses"),
        ["repository_url"] = Api($"/repos/{Owner}/{Repo}"),
        ["transient_environment"] = d.Transient,
        ["production_environment"] = d.Production,
        ["performed_via_github_app"] = null,
    };

    private JsonObject StatusJson(FakeDeployment d, FakeDeploymentStatus s) => new()
    {
        ["url"] = Api($"/repos/{Owner}/{Repo}/deployments/{d.Id}/statuses/{s.Id}"),
        ["id"] = s.Id,
        ["node_id"] = $"DES_{s.Id}",
        ["state"] = s.State,
        ["creator"] = Bot(),
        ["description"] = s.Description,
        ["environment"] = s.Environment,
        ["target_url"] = s.LogUrl,
        ["created_at"] = Time(s.CreatedAt),
        ["updated_at"] = Time(s.CreatedAt),
        ["deployment_url"] = Api($"/repos/{Owner}/{Repo}/deployments/{d.Id}"),
        ["repository_url"] = Api($"/repos/{Owner}/{Repo}"),
        ["environment_url"] = s.EnvironmentUrl,
        ["log_url"] = s.LogUrl,
        ["performed_via_github_app"] = null,
    };

    // ---- workflow dispatch ----

    private Answer Dispatch(string workflow, JsonObject body)
    {
        if (!Workflows.TryGetValue(workflow, out var declared))
            return Answer.Error(404, "Not Found");
        var inputs = body["inputs"] as JsonObject ?? [];
        var unexpected = inputs.Select(p => p.Key).Where(k => !declared.Contains(k)).ToList();
        if (unexpected.Count > 0)
            return Answer.Error(422, $"Unexpected inputs provided: [{string.Join(", ", unexpected.Select(k => $"\"{k}\""))}]");
        Dispatches.Add(new FakeDispatch(workflow, (string)body["ref"]!, (JsonObject)inputs.DeepClone()));
        if ((bool?)body["return_run_details"] is true)
        {
            return new Answer(200, new JsonObject
            {
                ["workflow_run_id"] = ++_nextId,
                ["run_url"] = Api($"/repos/{Owner}/{Repo}/actions/runs/{_nextId}"),
                ["html_url"] = Web($"/{Owner}/{Repo}/actions/runs/{_nextId}"),
            });
        }
        return new Answer(204, null);
    }

    // ---- GitHub's shapes ----

    /// <summary>GitHub's pagination: per_page (default 30, at most 100), page, and a Link header with next/last.</summary>
    private static Answer Page(IReadOnlyList<JsonObject> items, IReadOnlyDictionary<string, string> query, string url)
    {
        var perPage = Math.Clamp(query.TryGetValue("per_page", out var p) ? int.Parse(p, CultureInfo.InvariantCulture) : 30, 1, 100);
        var page = Math.Max(1, query.TryGetValue("page", out var n) ? int.Parse(n, CultureInfo.InvariantCulture) : 1);
        var last = Math.Max(1, (items.Count + perPage - 1) / perPage);
        var answer = new Answer(200, new JsonArray([.. items.Skip((page - 1) * perPage).Take(perPage)]));
        if (page < last)
        {
            var others = string.Concat(query.Where(q => q.Key is not ("page" or "per_page")).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value)}&"));
            string Link(int target, string rel) => $"<{url}?{others}per_page={perPage}&page={target}>; rel=\"{rel}\"";
            answer.Headers["Link"] = $"{Link(page + 1, "next")}, {Link(last, "last")}";
        }
        return answer;
    }

    private static Answer ValidationFailed(string resource, string field, string code, string message) => new(422, new JsonObject
    {
        ["message"] = "Validation Failed",
        ["errors"] = new JsonArray(new JsonObject { ["resource"] = resource, ["field"] = field, ["code"] = code, ["message"] = message }),
        ["documentation_url"] = Docs,
        ["status"] = "422",
    });

    private static string Sha(string reference) => reference.Length == 40 && reference.All(Uri.IsHexDigit)
        ? reference
        : Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(Encoding.UTF8.GetBytes(reference)));

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Api(string path) => $"https://api.github.com{path}";

    private static string Web(string path) => $"https://github.com{path}";

    private static JsonObject Bot() => new()
    {
        ["login"] = "github-actions[bot]",
        ["id"] = 41898282,
        ["node_id"] = "MDM6Qm90NDE4OTgyODI=",
        ["avatar_url"] = "https://avatars.githubusercontent.com/in/15368?v=4",
        ["gravatar_id"] = "",
        ["url"] = Api("/users/github-actions%5Bbot%5D"),
        ["html_url"] = Web("/apps/github-actions"),
        ["followers_url"] = Api("/users/github-actions%5Bbot%5D/followers"),
        ["following_url"] = Api("/users/github-actions%5Bbot%5D/following{/other_user}"),
        ["gists_url"] = Api("/users/github-actions%5Bbot%5D/gists{/gist_id}"),
        ["starred_url"] = Api("/users/github-actions%5Bbot%5D/starred{/owner}{/repo}"),
        ["subscriptions_url"] = Api("/users/github-actions%5Bbot%5D/subscriptions"),
        ["organizations_url"] = Api("/users/github-actions%5Bbot%5D/orgs"),
        ["repos_url"] = Api("/users/github-actions%5Bbot%5D/repos"),
        ["events_url"] = Api("/users/github-actions%5Bbot%5D/events{/privacy}"),
        ["received_events_url"] = Api("/users/github-actions%5Bbot%5D/received_events"),
        ["type"] = "Bot",
        ["site_admin"] = false,
    };

    private static JsonObject ActionsApp() => new()
    {
        ["id"] = 15368,
        ["slug"] = "github-actions",
        ["node_id"] = "MDM6QXBwMTUzNjg=",
        ["owner"] = new JsonObject
        {
            ["login"] = "github",
            ["id"] = 9919,
            ["node_id"] = "MDEyOk9yZ2FuaXphdGlvbjk5MTk=",
            ["avatar_url"] = "https://avatars.githubusercontent.com/u/9919?v=4",
            ["gravatar_id"] = "",
            ["url"] = Api("/users/github"),
            ["html_url"] = Web("/github"),
            ["followers_url"] = Api("/users/github/followers"),
            ["following_url"] = Api("/users/github/following{/other_user}"),
            ["gists_url"] = Api("/users/github/gists{/gist_id}"),
            ["starred_url"] = Api("/users/github/starred{/owner}{/repo}"),
            ["subscriptions_url"] = Api("/users/github/subscriptions"),
            ["organizations_url"] = Api("/users/github/orgs"),
            ["repos_url"] = Api("/users/github/repos"),
            ["events_url"] = Api("/users/github/events{/privacy}"),
            ["received_events_url"] = Api("/users/github/received_events"),
            ["type"] = "Organization",
            ["site_admin"] = false,
        },
        ["name"] = "GitHub Actions",
        ["description"] = "Automate your workflow from idea to production",
        ["external_url"] = "https://help.github.com/en/actions",
        ["html_url"] = Web("/apps/github-actions"),
        ["created_at"] = "2018-07-30T09:30:17Z",
        ["updated_at"] = "2024-04-10T20:33:16Z",
        ["permissions"] = new JsonObject { ["checks"] = "write", ["deployments"] = "write", ["issues"] = "write", ["metadata"] = "read" },
        ["events"] = new JsonArray("check_run", "deployment", "pull_request"),
    };

    private sealed class Fault(string operationId, int count, HttpStatusCode status, string? message, int? retryAfterSeconds, bool rateLimitSpent, long? rateLimitReset, int skip)
    {
        public string OperationId { get; } = operationId;
        public int Count { get; set; } = count;
        public HttpStatusCode Status { get; } = status;
        public string? Message { get; } = message;
        public int? RetryAfterSeconds { get; } = retryAfterSeconds;
        public bool RateLimitSpent { get; } = rateLimitSpent;
        public long? RateLimitReset { get; } = rateLimitReset;
        public int Skip { get; set; } = skip;
    }

    private sealed record Answer(int Status, JsonNode? Body)
    {
        public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

        public static Answer Error(int status, string message) => new(status, new JsonObject
        {
            ["message"] = message,
            ["documentation_url"] = Docs,
            ["status"] = status.ToString(CultureInfo.InvariantCulture),
        });
    }
}

public sealed record RecordedRequest(string Method, string PathAndQuery, string OperationId, string? Body, string Token)
{
    public int Status { get; set; }

    public JsonObject? Json => Body is null ? null : JsonNode.Parse(Body)!.AsObject();
}

public sealed class FakeComment(long id, int issue, string body, DateTimeOffset createdAt)
{
    public long Id { get; } = id;
    public int Issue { get; } = issue;
    public string Body { get; set; } = body;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public DateTimeOffset UpdatedAt { get; set; } = createdAt;
}

public sealed class FakeCheckRun(long id, string name, string headSha)
{
    public long Id { get; } = id;
    public string Name { get; set; } = name;
    public string HeadSha { get; } = headSha;
    public string Status { get; set; } = "queued";
    public string? Conclusion { get; set; }
    public string? Title { get; set; }
    public string? Summary { get; set; }
    public int Updates { get; set; }
    public DateTimeOffset CreatedAt { get; } = DateTimeOffset.UtcNow;
}

public sealed class FakeDeployment(long id, string reference, string sha, string environment, JsonObject payload, string description, bool transient, bool production, DateTimeOffset createdAt)
{
    public long Id { get; } = id;
    public string Ref { get; } = reference;
    public string Sha { get; } = sha;
    public string Environment { get; } = environment;
    public JsonObject Payload { get; } = payload;
    public string Description { get; } = description;
    public bool Transient { get; } = transient;
    public bool Production { get; } = production;
    public string Task { get; set; } = "deploy";
    public DateTimeOffset CreatedAt { get; } = createdAt;

    /// <summary>Oldest first.</summary>
    public List<FakeDeploymentStatus> Statuses { get; } = [];

    public IReadOnlyList<string> States => Statuses.Select(s => s.State).ToList();
}

public sealed record FakeDeploymentStatus(long Id, string State, string Description, string LogUrl, string EnvironmentUrl, string Environment, DateTimeOffset CreatedAt);

public sealed record FakeDispatch(string Workflow, string Ref, JsonObject Inputs);
