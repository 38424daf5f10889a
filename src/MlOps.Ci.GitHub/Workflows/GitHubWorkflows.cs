using MlOps.Ci.Automation;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.GitHub.Api;
using Octokit;

namespace MlOps.Ci.GitHub.Workflows;

/// <summary>A retraining request: run <see cref="Workflow"/> (a file name such as train.yml, or an id) on <see cref="Ref"/>.</summary>
public sealed record RetrainRequest(string Workflow, string Ref, string Reason)
{
    /// <summary>Further workflow inputs (e.g. drift=0.31); <c>reason</c> is always added.</summary>
    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();
}

public sealed record RetrainResult(string Workflow, string Ref, IReadOnlyDictionary<string, string> Inputs);

/// <summary>Dispatches the training workflow (<c>workflow_dispatch</c>) with inputs saying why.</summary>
public sealed class GitHubWorkflows
{
    /// <summary>GitHub accepts at most 25 inputs on a dispatch.</summary>
    public const int MaxInputs = 25;
    public const string ReasonInput = "reason";

    private readonly GitHubApi _api;

    public GitHubWorkflows(GitHubApi api)
    {
        ArgumentNullException.ThrowIfNull(api);
        _api = api;
    }

    public async Task<RetrainResult> DispatchAsync(RetrainRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.Workflow);
        ArgumentException.ThrowIfNullOrEmpty(request.Ref);
        var inputs = new Dictionary<string, string>(request.Inputs, StringComparer.Ordinal) { [ReasonInput] = request.Reason };
        if (inputs.Count > MaxInputs)
        {
            throw MlOpsException.Of(DiagnosticCodes.WorkflowInputInvalid,
                $"{inputs.Count} inputs for workflow {request.Workflow}: GitHub accepts at most {MaxInputs} (reason included).",
                hint: "Pass fewer --input values, or put them in one JSON input.");
        }
        var dispatch = new CreateWorkflowDispatch(request.Ref) { Inputs = inputs.ToDictionary(p => p.Key, p => (object)p.Value) };
        var path = _api.RepoPath($"/actions/workflows/{request.Workflow}/dispatches");
        await _api.SendAsync("POST", path, () => long.TryParse(request.Workflow, out var id)
            ? _api.Client.Actions.Workflows.CreateDispatch(_api.Repository.Owner, _api.Repository.Name, id, dispatch)
            : _api.Client.Actions.Workflows.CreateDispatch(_api.Repository.Owner, _api.Repository.Name, request.Workflow, dispatch)).ConfigureAwait(false);
        return new RetrainResult(request.Workflow, request.Ref, inputs);
    }

    /// <summary>Reads <c>key=value</c> pairs as given on the command line; MLOPS8015 names a malformed or repeated one.</summary>
    public static IReadOnlyDictionary<string, string> ParseInputs(IEnumerable<string> pairs) =>
        RetrainInputs.Parse(pairs, ReasonInput, DiagnosticCodes.WorkflowInputInvalid);
}
