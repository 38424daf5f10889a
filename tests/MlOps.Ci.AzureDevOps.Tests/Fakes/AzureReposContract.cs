using System.Text.Json;

namespace MlOps.Ci.AzureDevOps.Tests.Fakes;

/// <summary>
/// The request bodies of the Azure DevOps REST routes MlOps.Ci uses (api-version 7.1: Git pull requests, Pipelines runs), written down as small
/// typed shapes from the reference pages: which properties exist, their JSON kind, which are required and which enum
/// values the service accepts. The fake checks every body against these and answers 400 on a mismatch, so a typo
/// (<c>parentCommentID</c>, <c>"state": "success"</c>) fails a test instead of a customer's build.
/// Property names are matched exactly (camelCase, as the reference documents them), stricter than the service.
/// </summary>
public static class AzureReposContract
{
    /// <summary>The api-version every request must carry.</summary>
    public const string ApiVersion = "7.1";

    // CommentThreadStatus: https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-request-threads/create?view=azure-devops-rest-7.1#commentthreadstatus
    public static readonly string[] ThreadStatuses = ["unknown", "active", "fixed", "wontFix", "closed", "byDesign", "pending"];

    // CommentType: https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-request-threads/create?view=azure-devops-rest-7.1#commenttype
    public static readonly string[] CommentTypes = ["unknown", "text", "codeChange", "system"];

    // GitStatusState: https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-request-statuses/create?view=azure-devops-rest-7.1#gitstatusstate
    public static readonly string[] StatusStates = ["notSet", "pending", "succeeded", "failed", "error", "notApplicable", "partiallySucceeded"];

    private static readonly Shape Comment = new(
        new("parentCommentId", Kind.Integer),
        new("content", Kind.String, Required: true),
        new("commentType", Kind.Enum, Values: CommentTypes));

    /// <summary>
    /// POST …/pullRequests/{pullRequestId}/threads: a GitPullRequestCommentThread with at least one comment.
    /// https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-request-threads/create?view=azure-devops-rest-7.1
    /// </summary>
    public static readonly Shape CreateThread = new(
        new("comments", Kind.Array, Required: true, Items: Comment, MinItems: 1),
        new("status", Kind.Enum, Values: ThreadStatuses),
        new("properties", Kind.Object),
        new("threadContext", Kind.Object),
        new("pullRequestThreadContext", Kind.Object));

    /// <summary>
    /// PATCH …/threads/{threadId}: only what changes; here the status.
    /// https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-request-threads/update?view=azure-devops-rest-7.1
    /// </summary>
    public static readonly Shape UpdateThread = new(
        new("status", Kind.Enum, Values: ThreadStatuses),
        new("properties", Kind.Object));

    /// <summary>
    /// PATCH …/threads/{threadId}/comments/{commentId}: the new content.
    /// https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-request-thread-comments/update?view=azure-devops-rest-7.1
    /// </summary>
    public static readonly Shape UpdateComment = new(new Field("content", Kind.String, Required: true));

    private static readonly Shape StatusContext = new(
        new("name", Kind.String, Required: true),
        new("genre", Kind.String));

    /// <summary>
    /// POST …/pullRequests/{pullRequestId}/statuses: a GitPullRequestStatus; the context names it, the newest per context wins.
    /// https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-request-statuses/create?view=azure-devops-rest-7.1
    /// </summary>
    public static readonly Shape CreateStatus = new(
        new("state", Kind.Enum, Required: true, Values: StatusStates),
        new("description", Kind.String),
        new("context", Kind.Object, Required: true, Properties: StatusContext),
        new("targetUrl", Kind.AbsoluteUrl),
        new("iterationId", Kind.Integer),
        new("properties", Kind.Object));

    private static readonly Shape RepositoryResource = new(
        new("refName", Kind.String),
        new("token", Kind.String),
        new("tokenType", Kind.String),
        new("version", Kind.String));

    private static readonly Shape RunResources = new(
        new("builds", Kind.Object),
        new("containers", Kind.Object),
        new("packages", Kind.Object),
        new("pipelines", Kind.Object),
        new("repositories", Kind.Map, Items: RepositoryResource));

    private static readonly Shape Variable = new(
        new("isSecret", Kind.Boolean),
        new("value", Kind.String));

    /// <summary>
    /// POST {project}/_apis/pipelines/{pipelineId}/runs: a RunPipelineParameters. The template parameters are strings
    /// by name (the .NET client's <c>IDictionary&lt;string, string&gt;</c>); the service converts them to the YAML's types.
    /// https://learn.microsoft.com/en-us/rest/api/azure/devops/pipelines/runs/run-pipeline?view=azure-devops-rest-7.1
    /// </summary>
    public static readonly Shape RunPipeline = new(
        new("previewRun", Kind.Boolean),
        new("resources", Kind.Object, Properties: RunResources),
        new("stagesToSkip", Kind.Array),
        new("templateParameters", Kind.StringMap),
        new("variables", Kind.Map, Items: Variable),
        new("yamlOverride", Kind.String));

    public enum Kind
    {
        Boolean,
        /// <summary>An object whose property values are all strings.</summary>
        StringMap,
        /// <summary>An object whose property values all have the field's <see cref="Field.Items"/> shape.</summary>
        Map,
        String,
        Integer,
        Object,
        Array,
        Enum,
        AbsoluteUrl,
    }

    public sealed record Field(string Name, Kind Kind, bool Required = false, string[]? Values = null, Shape? Items = null, Shape? Properties = null, int MinItems = 0);

    /// <summary>An object's documented properties.</summary>
    public sealed class Shape(params Field[] fields)
    {
        public IReadOnlyList<Field> Fields { get; } = fields;

        /// <summary>Every way <paramref name="body"/> departs from the shape, each naming the JSON path at fault.</summary>
        public IReadOnlyList<string> Violations(JsonElement body, string path = "$")
        {
            var violations = new List<string>();
            if (body.ValueKind != JsonValueKind.Object)
            {
                violations.Add($"{path}: expected an object, got {body.ValueKind}");
                return violations;
            }
            foreach (var property in body.EnumerateObject())
            {
                if (Fields.All(f => f.Name != property.Name))
                    violations.Add($"{path}.{property.Name}: not a documented property");
            }
            foreach (var field in Fields)
            {
                var at = $"{path}.{field.Name}";
                if (!body.TryGetProperty(field.Name, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    if (field.Required)
                        violations.Add($"{at}: required");
                    continue;
                }
                switch (field.Kind)
                {
                    case Kind.String when value.ValueKind != JsonValueKind.String:
                    case Kind.Integer when value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out _):
                    case Kind.Object when value.ValueKind != JsonValueKind.Object:
                    case Kind.Array when value.ValueKind != JsonValueKind.Array:
                    case Kind.StringMap or Kind.Map when value.ValueKind != JsonValueKind.Object:
                    case Kind.Boolean when value.ValueKind is not (JsonValueKind.True or JsonValueKind.False):
                        violations.Add($"{at}: expected {field.Kind}, got {value.ValueKind}");
                        break;
                    case Kind.Enum when value.ValueKind != JsonValueKind.String || !field.Values!.Contains(value.GetString(), StringComparer.OrdinalIgnoreCase):
                        violations.Add($"{at}: '{value}' is not one of {string.Join(", ", field.Values!)}");
                        break;
                    case Kind.AbsoluteUrl when value.ValueKind != JsonValueKind.String || !Uri.TryCreate(value.GetString(), UriKind.Absolute, out _):
                        violations.Add($"{at}: '{value}' is not an absolute URL");
                        break;
                    case Kind.Array:
                        if (value.GetArrayLength() < field.MinItems)
                            violations.Add($"{at}: needs at least {field.MinItems} item(s)");
                        if (field.Items is { } items)
                            violations.AddRange(value.EnumerateArray().SelectMany((item, index) => items.Violations(item, $"{at}[{index}]")));
                        break;
                    case Kind.StringMap:
                        violations.AddRange(value.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.String)
                            .Select(p => $"{at}.{p.Name}: expected String, got {p.Value.ValueKind}"));
                        break;
                    case Kind.Map when field.Items is { } values:
                        violations.AddRange(value.EnumerateObject().SelectMany(p => values.Violations(p.Value, $"{at}.{p.Name}")));
                        break;
                    case Kind.Object when field.Properties is { } properties:
                        violations.AddRange(properties.Violations(value, at));
                        break;
                }
            }
            return violations;
        }
    }
}
