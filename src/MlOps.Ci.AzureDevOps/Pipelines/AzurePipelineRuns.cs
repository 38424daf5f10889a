using MlOps.Ci.Automation;
using MlOps.Ci.AzureDevOps.Repos;
using MlOps.Ci.AzureDevOps.Rest;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.AzureDevOps.Pipelines;

/// <summary>
/// Where a retraining run is queued and by whom: the collection (<c>https://dev.azure.com/org/</c>), the project (id or
/// name), the training pipeline's id and a token allowed to queue it.
/// </summary>
public sealed record AzurePipeline(Uri CollectionUri, string Project, int PipelineId, string AccessToken)
{
    /// <summary>
    /// The pipeline <paramref name="pipelineId"/> in the project the current job runs in: collection, project and token
    /// from the agent's variables, each overridable (a developer's machine has none of them). MLOPS8110/8111 say what
    /// is missing.
    /// </summary>
    public static AzurePipeline Resolve(IReadOnlyDictionary<string, string> environment, string? pipelineId,
        string? collectionUri = null, string? project = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (string.IsNullOrWhiteSpace(pipelineId))
        {
            throw MlOpsException.Of(DiagnosticCodes.AzurePipelineIdMissing,
                "No training pipeline to queue: give --pipeline-id or set MLOPS_PIPELINE_ID.",
                hint: "The id is the number in the pipeline's URL (…/_build?definitionId=12).");
        }
        if (!int.TryParse(pipelineId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) || id <= 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.AzurePipelineIdMissing,
                $"--pipeline-id '{pipelineId}' is not a pipeline id (a positive number).",
                hint: "The id is the number in the pipeline's URL (…/_build?definitionId=12), not its name.");
        }

        var collection = Clean(collectionUri) ?? AzurePipelinesEnvironment.Value(environment, AzurePipelinesEnvironment.CollectionUri);
        var projectName = Clean(project) ?? AzurePipelinesEnvironment.Value(environment, AzurePipelinesEnvironment.TeamProjectId)
            ?? AzurePipelinesEnvironment.Value(environment, AzurePipelinesEnvironment.TeamProject);
        var token = AzurePipelinesEnvironment.Value(environment, AzurePipelinesEnvironment.AccessToken);
        var missing = new List<string>();
        if (collection is null)
            missing.Add($"the organization (--collection-uri or {AzurePipelinesEnvironment.CollectionUri})");
        if (projectName is null)
            missing.Add($"the project (--project or {AzurePipelinesEnvironment.TeamProjectId})");
        if (token is null)
            missing.Add($"a token ({AzurePipelinesEnvironment.AccessToken})");
        if (missing.Count > 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.AzurePipelineRunTargetMissing,
                $"Cannot queue pipeline {id}: no {string.Join(", no ", missing)}.",
                hint: "In an Azure Pipelines job the agent sets the organization and project; map the token in the step (env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)). Elsewhere give them explicitly, with a personal access token with the Build (Read & execute) scope in SYSTEM_ACCESSTOKEN.");
        }
        if (!Uri.TryCreate(collection!.EndsWith('/') ? collection : collection + "/", UriKind.Absolute, out var collectionUrl)
            || (collectionUrl.Scheme != Uri.UriSchemeHttps && collectionUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw MlOpsException.Of(DiagnosticCodes.AzurePipelineRunTargetMissing,
                $"Cannot queue pipeline {id}: the organization '{collection}' is not an absolute http(s) URL.",
                hint: "Give the collection URL as the agent's SYSTEM_COLLECTIONURI spells it, e.g. https://dev.azure.com/fabrikam/.");
        }
        return new AzurePipeline(collectionUrl, projectName!, id, token!);
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>The token never reaches a log through this record's ToString.</summary>
    public override string ToString() => $"pipeline {PipelineId} in {CollectionUri}{Project}";
}

/// <summary>A retraining run: why (<see cref="Reason"/>), further template parameters and the branch to train on.</summary>
public sealed record PipelineRunRequest(string Reason)
{
    /// <summary>Further template parameters (e.g. window=2026-11-20/2026-11-27); <c>reason</c> is always added.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>The branch (main or refs/heads/main); null runs the pipeline's default branch.</summary>
    public string? Branch { get; init; }
}

/// <summary>The queued run: its id, name (the build number), state and web page, and the parameters it was given.</summary>
public sealed record PipelineRunResult(int PipelineId, int RunId, string Name, string State, string? WebUrl, string? Branch,
    IReadOnlyDictionary<string, string> Parameters);

/// <summary>
/// Queues a run of the training pipeline (Pipelines - Run Pipeline) with template parameters saying why: the Azure
/// DevOps side of <c>mlops retrain</c>, as workflow_dispatch is GitHub's. The pipeline's YAML must declare each
/// parameter; the service refuses undeclared ones (MLOPS8113).
/// </summary>
public sealed class AzurePipelineRuns : IDisposable
{
    public const string ReasonParameter = "reason";

    private readonly AzurePipeline _pipeline;
    private readonly AzureDevOpsRestClient _client;

    public AzurePipelineRuns(AzurePipeline pipeline, AzureDevOpsClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        _pipeline = pipeline;
        _client = new AzureDevOpsRestClient(new AzureDevOpsResource(
            $"{pipeline.CollectionUri}{Uri.EscapeDataString(pipeline.Project)}/_apis/pipelines/{pipeline.PipelineId}", pipeline.AccessToken, pipeline.ToString())
        {
            UnauthorizedHint = "Map a current token into the step (env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)); a personal access token needs the Build (Read & execute) scope.",
            ForbiddenHint = "Allow the project's build service account 'Queue builds' on the training pipeline (Pipelines > the pipeline > Manage security), and make sure the job's authorization scope reaches that project.",
            NotFoundCode = DiagnosticCodes.AzurePipelineNotFound,
            NotFoundHint = "Check --pipeline-id (the number in the pipeline's URL, _build?definitionId=N) and the project; the token must belong to the same organization.",
            BadRequestCode = DiagnosticCodes.AzurePipelineParameterRejected,
            BadRequestHint = $"Declare each parameter in the training pipeline's YAML (parameters: - name: {ReasonParameter}, type: string, and one per --input), or pass only those it declares.",
        }, options);
    }

    public async Task<PipelineRunResult> QueueAsync(PipelineRunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parameters = new Dictionary<string, string>(request.Parameters, StringComparer.Ordinal) { [ReasonParameter] = request.Reason };
        var refName = request.Branch is { Length: > 0 } branch ? (branch.StartsWith("refs/", StringComparison.Ordinal) ? branch : $"refs/heads/{branch}") : null;
        var body = new RunPipelineParameters(parameters,
            refName is null ? null : new RunResourcesParameters(new Dictionary<string, RepositoryResourceParameters> { ["self"] = new(refName) }));
        // Retried like any request after a 5xx, 429 or lost answer: at worst a run the service did queue is queued
        // again, which trains twice but loses nothing, while giving up would leave the drift unanswered.
        var run = await _client.ExecuteAsync(token => _client.SendAsync<PipelineRun>(HttpMethod.Post, "/runs", body, token), cancellationToken);
        return new PipelineRunResult(_pipeline.PipelineId, run.Id, run.Name ?? $"{run.Id}", run.State ?? "unknown", run.Links?.Web?.Href, refName, parameters);
    }

    /// <summary>Reads <c>key=value</c> pairs as given on the command line; MLOPS8114 names a malformed or repeated one.</summary>
    public static IReadOnlyDictionary<string, string> ParseParameters(IEnumerable<string> pairs) =>
        RetrainInputs.Parse(pairs, ReasonParameter, DiagnosticCodes.AzurePipelineRunInputInvalid);

    public void Dispose() => _client.Dispose();
}
