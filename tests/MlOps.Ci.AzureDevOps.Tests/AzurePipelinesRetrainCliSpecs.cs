using System.Text.Json;
using MlOps.Ci.AzureDevOps.Tests.Fakes;
using MlOps.Ci.AzureDevOps.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Testing;

namespace MlOps.Ci.AzureDevOps.Tests;

/// <summary>
/// <c>mlops retrain</c> — the real CLI in an Azure Pipelines job, as a scheduled drift check runs it — queues the
/// training pipeline on the fake Azure DevOps, and chooses Azure Pipelines or GitHub the way its help says.
/// </summary>
public sealed class AzurePipelinesRetrainCliSpecs : FakeAzureDevOpsFixture
{
    private Dictionary<string, string> Job(params (string Name, string Value)[] more)
    {
        var environment = AgentJob();
        environment["BUILD_SOURCEBRANCH"] = "refs/heads/main";
        foreach (var (name, value) in more)
            environment[name] = value;
        return environment;
    }

    [Fact]
    public async Task In_an_Azure_Pipelines_job_retrain_queues_the_training_pipeline_with_the_reason_and_the_window()
    {
        var result = await MlopsTool.RunAsync(Job(("MLOPS_PIPELINE_ID", "12")),
            "retrain", "--reason", "drift: Tenure, MonthlyCharges", "--input", "window=2026-11-20/2026-11-27");

        result.ExitCode.ShouldBe(0, result.ToString());
        var run = Azure.Runs.ShouldHaveSingleItem();
        run["templateParameters"]!["reason"]!.GetValue<string>().ShouldBe("drift: Tenure, MonthlyCharges");
        run["templateParameters"]!["window"]!.GetValue<string>().ShouldBe("2026-11-20/2026-11-27");
        run["resources"]!["repositories"]!["self"]!["refName"]!.GetValue<string>().ShouldBe("refs/heads/main");
        result.StandardOutput.ShouldContain($"Queued run {run["name"]} of pipeline 12 ({Azure.CollectionUri}Fabrikam%20Fiber/_build/results?buildId={run["id"]})");
        AgentCommand.In(result.StandardOutput).Last(c => c.Command == "task.complete")["result"].ShouldBe("Succeeded");
    }

    [Fact]
    public async Task With_json_the_document_is_the_queued_run()
    {
        var result = await MlopsTool.RunAsync(Job(), "retrain", "--json", "--pipeline-id", "12", "--ref", "release/2", "--reason", "live AUC fell");

        result.ExitCode.ShouldBe(0, result.ToString());
        var document = JsonDocument.Parse(result.StandardOutput[..(result.StandardOutput.LastIndexOf('}') + 1)]).RootElement;
        document.GetProperty("runId").GetInt32().ShouldBe(Azure.Runs.Single()["id"]!.GetValue<int>());
        document.GetProperty("branch").GetString().ShouldBe("refs/heads/release/2");
        document.GetProperty("parameters").GetProperty("reason").GetString().ShouldBe("live AUC fell");
    }

    [Fact]
    public async Task A_pipeline_id_chooses_Azure_Pipelines_even_beside_a_GitHub_repository()
    {
        var result = await MlopsTool.RunAsync(Job(("GITHUB_REPOSITORY", "fabrikam/churn-model"), ("GITHUB_TOKEN", "unused")),
            "retrain", "--pipeline-id", "12", "--reason", "requested by hand");

        result.ExitCode.ShouldBe(0, result.ToString());
        Azure.Runs.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task In_an_Azure_Pipelines_job_without_a_pipeline_id_the_diagnostic_says_how_to_give_one()
    {
        var result = await MlopsTool.RunAsync(Job(), "retrain", "--reason", "drift");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.StandardError.ShouldContain($"error {DiagnosticCodes.AzurePipelineIdMissing}");
        result.StandardError.ShouldContain("MLOPS_PIPELINE_ID");
        AgentCommand.In(result.StandardOutput).ShouldContain(c => c.Command == "task.logissue" && c["code"] == DiagnosticCodes.AzurePipelineIdMissing);
        Azure.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_parameter_the_training_pipeline_does_not_declare_fails_the_step_naming_it()
    {
        var result = await MlopsTool.RunAsync(Job(("MLOPS_PIPELINE_ID", "12")), "retrain", "--reason", "drift", "--input", "psi=0.31");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.StandardError.ShouldContain($"error {DiagnosticCodes.AzurePipelineParameterRejected}");
        result.StandardError.ShouldContain("Unexpected parameter 'psi'");
        AgentCommand.In(result.StandardOutput).Last(c => c.Command == "task.complete")["result"].ShouldBe("Failed");
        Azure.Runs.ShouldBeEmpty();
    }

    [Fact]
    public async Task In_an_Azure_Pipelines_job_building_a_GitHub_repository_retrain_dispatches_its_workflow_instead()
    {
        // --repository names the GitHub repository, so GitHub is asked (here: an address where nothing answers).
        var result = await MlopsTool.RunAsync(Job(("GITHUB_TOKEN", "ghp_token"), ("GITHUB_API_URL", "http://127.0.0.1:9/")),
            "retrain", "--repository", "fabrikam/churn-model", "--workflow", "train.yml", "--ref", "main", "--reason", "drift");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.StandardError.ShouldContain($"error {DiagnosticCodes.GitHubUnreachable}");
        Azure.Requests.ShouldBeEmpty();
    }
}
