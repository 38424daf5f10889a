using System.Text.Json.Serialization;

namespace MlOps.Ci.AzureDevOps.Pipelines;

// The parts of Pipelines - Run Pipeline (api-version 7.1) the retraining trigger writes and reads:
// https://learn.microsoft.com/en-us/rest/api/azure/devops/pipelines/runs/run-pipeline?view=azure-devops-rest-7.1

/// <summary>RunPipelineParameters: the template parameters (the YAML's <c>parameters:</c>) and, when given, the branch.</summary>
internal sealed record RunPipelineParameters(
    IReadOnlyDictionary<string, string> TemplateParameters,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RunResourcesParameters? Resources);

/// <summary>RunResourcesParameters; <c>self</c> is the pipeline's own repository.</summary>
internal sealed record RunResourcesParameters(IReadOnlyDictionary<string, RepositoryResourceParameters> Repositories);

/// <summary>RepositoryResourceParameters: <c>refName</c> is a full ref (refs/heads/main).</summary>
internal sealed record RepositoryResourceParameters(string RefName);

/// <summary>Run, as the service answers the queued run. <c>state</c>: unknown, inProgress, canceling, completed.</summary>
internal sealed record PipelineRun(int Id, string? Name, string? State, string? Url, PipelineReference? Pipeline,
    [property: JsonPropertyName("_links")] RunLinks? Links);

internal sealed record PipelineReference(int Id, string? Name);

internal sealed record RunLinks(Link? Web);

internal sealed record Link(string? Href);
