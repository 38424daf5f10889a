using System.CommandLine;
using MlOps.Ci.Automation;
using MlOps.Ci.AzureDevOps.Pipelines;
using MlOps.Ci.GitHub.Workflows;

namespace MlOps.Ci.Cli.Commands;

/// <summary>
/// <c>mlops retrain</c>: starts the training run of whichever CI system trains the model, with the reason and further
/// inputs: a GitHub <c>workflow_dispatch</c>, or an Azure Pipelines run (Run Pipeline with template parameters) when a
/// pipeline id is given, or when it runs in an Azure Pipelines job (<c>TF_BUILD</c>) without a GitHub repository.
/// The two integrations stay apart: each gets the same request and knows only its own service.
/// </summary>
internal static class RetrainCommand
{
    public const string WorkflowVariable = "MLOPS_WORKFLOW";
    public const string PipelineIdVariable = "MLOPS_PIPELINE_ID";
    private const string ReasonVariable = "MLOPS_REASON";
    private const string AzureBranchVariable = "BUILD_SOURCEBRANCH";

    /// <summary>The CI system that runs the training.</summary>
    internal enum TrainingSystem
    {
        GitHub,
        AzurePipelines,
    }

    /// <summary>What to retrain and why, whichever system runs it; <see cref="Inputs"/> are key=value pairs as typed.</summary>
    internal sealed record Request(string Reason, IReadOnlyList<string> Inputs)
    {
        /// <summary>Null: chosen by <see cref="UsesAzurePipelines"/>.</summary>
        public TrainingSystem? System { get; init; }

        public string? Workflow { get; init; }
        public string? Ref { get; init; }
        public string? PipelineId { get; init; }
        public string? CollectionUri { get; init; }
        public string? Project { get; init; }
        public string? Repository { get; init; }
        public string? ApiUrl { get; init; }
    }

    public static Command Create(GlobalOptions global)
    {
        var workflow = GitHubCommands.FromEnvironment("--workflow", WorkflowVariable, "GitHub: the training workflow, its file name (train.yml) or id");
        var reference = GitHubCommands.FromEnvironment("--ref", "GITHUB_REF_NAME",
            $"The branch or tag to train on (Azure Pipelines: default ${AzureBranchVariable}, else the pipeline's default branch)");
        var reason = new Option<string>("--reason")
        {
            Description = $"Why retraining is needed; passed as the 'reason' input or template parameter (default: ${ReasonVariable}, else 'requested').",
            DefaultValueFactory = _ => EnvironmentDefaults.Get(ReasonVariable) ?? "requested",
        };
        var inputs = new Option<string[]>("--input")
        {
            Description = "A further workflow input or pipeline template parameter, key=value (repeatable).",
            AllowMultipleArgumentsPerToken = true,
        };
        var pipelineId = GitHubCommands.FromEnvironment("--pipeline-id", PipelineIdVariable, "Azure Pipelines: the training pipeline's id; giving it chooses Azure Pipelines");
        var collection = GitHubCommands.FromEnvironment("--collection-uri", "SYSTEM_COLLECTIONURI", "Azure Pipelines: the organization, https://dev.azure.com/ORG/");
        var project = new Option<string?>("--project") { Description = "Azure Pipelines: the project (default: the job's, $SYSTEM_TEAMPROJECTID)." };
        var (repository, apiUrl) = GitHubCommands.ApiOptions();
        var command = new Command("retrain",
            "Start the training run with inputs saying why: GitHub workflow_dispatch, or an Azure Pipelines run (--pipeline-id, or inside an Azure Pipelines job).")
        {
            workflow, reference, reason, inputs, pipelineId, collection, project, repository, apiUrl,
        };
        command.SetAction(parse => CommandOutput.Run(parse.GetValue(global.Json), () => Dispatch(new Request(parse.GetValue(reason)!, parse.GetValue(inputs) ?? [])
        {
            Workflow = parse.GetValue(workflow),
            Ref = parse.GetValue(reference),
            PipelineId = parse.GetValue(pipelineId),
            CollectionUri = parse.GetValue(collection),
            Project = parse.GetValue(project),
            Repository = parse.GetValue(repository),
            ApiUrl = parse.GetValue(apiUrl),
        }, parse.GetValue(global.Verbose), parse.GetValue(global.Json), parse.GetValue(global.Json) ? null : Console.Out)));
        return command;
    }

    /// <summary>
    /// Azure Pipelines when a pipeline id is given, or in an Azure Pipelines job that names no GitHub repository (a
    /// repository on GitHub built by Azure Pipelines still retrains through its own workflow when it says so).
    /// </summary>
    internal static bool UsesAzurePipelines(Request request, IReadOnlyDictionary<string, string> environment) => request.System is { } system
        ? system == TrainingSystem.AzurePipelines
        : request.PipelineId is not null || (AzurePipelinesEnvironment.IsPresent(environment) && request.Repository is null);

    /// <summary>Starts the run and says so on <paramref name="say"/> (null: silent); the result is the verb's --json document.</summary>
    internal static object Dispatch(Request request, bool verbose, bool json, TextWriter? say)
    {
        var environment = CiHosts.ProcessEnvironment();
        if (UsesAzurePipelines(request, environment))
        {
            var pipeline = AzurePipeline.Resolve(environment, request.PipelineId, request.CollectionUri, request.Project);
            var parameters = AzurePipelineRuns.ParseParameters(request.Inputs);
            using var runs = new AzurePipelineRuns(pipeline);
            var run = runs.QueueAsync(new PipelineRunRequest(request.Reason)
            {
                Parameters = parameters,
                Branch = request.Ref ?? EnvironmentDefaults.Get(AzureBranchVariable),
            }).GetAwaiter().GetResult();
            say?.WriteLine($"Queued run {run.Name} of pipeline {run.PipelineId}{(run.WebUrl is { } url ? $" ({url})" : "")} with {Describe(run.Parameters)}.");
            return run;
        }

        var dispatch = new RetrainRequest(
            GitHubCommands.Require(request.Workflow, "--workflow", WorkflowVariable, "training workflow"),
            GitHubCommands.Require(request.Ref, "--ref", "GITHUB_REF_NAME", "branch or tag to train on"),
            request.Reason)
        {
            Inputs = GitHubWorkflows.ParseInputs(request.Inputs),
        };
        var result = new GitHubWorkflows(GitHubCommands.Api(request.Repository, request.ApiUrl, verbose, json)).DispatchAsync(dispatch).GetAwaiter().GetResult();
        say?.WriteLine($"Dispatched {result.Workflow} on {result.Ref} with {Describe(result.Inputs)}.");
        return result;
    }

    private static string Describe(IReadOnlyDictionary<string, string> inputs) => string.Join(", ", inputs.Select(p => $"{p.Key}={p.Value}"));
}
