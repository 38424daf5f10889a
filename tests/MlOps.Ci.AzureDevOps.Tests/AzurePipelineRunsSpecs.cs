using System.Net;
using MlOps.Ci.AzureDevOps.Pipelines;
using MlOps.Ci.AzureDevOps.Repos;
using MlOps.Ci.AzureDevOps.Tests.Fakes;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.AzureDevOps.Tests;

/// <summary>Queuing the training pipeline (Pipelines - Run Pipeline) against a fake Azure DevOps that checks the documented contract.</summary>
public sealed class AzurePipelineRunsSpecs : IAsyncLifetime
{
    private FakeAzureDevOps _azure = null!;

    public async Task InitializeAsync() => _azure = await FakeAzureDevOps.StartAsync();

    public async Task DisposeAsync()
    {
        _azure.ContractViolations.ShouldBeEmpty("every request must follow the documented contract");
        await _azure.DisposeAsync();
    }

    private AzurePipelineRuns Runs(int pipelineId = FakeAzureDevOps.TrainingPipelineId, string project = FakeAzureDevOps.ProjectId, string token = FakeAzureDevOps.Token) =>
        new(new AzurePipeline(_azure.CollectionUri, project, pipelineId, token),
            new AzureDevOpsClientOptions { MaxRetries = 3, RetryDelay = TimeSpan.FromMilliseconds(5) });

    private static PipelineRunRequest DriftRequest => new("drift: Tenure, MonthlyCharges")
    {
        Parameters = new Dictionary<string, string> { ["window"] = "2026-11-20/2026-11-27" },
        Branch = "main",
    };

    private static async Task<Diagnostic> FailureOf(Func<Task> action) =>
        (await Should.ThrowAsync<MlOpsException>(action)).Diagnostics.ShouldHaveSingleItem();

    [Fact]
    public async Task A_run_is_queued_on_the_documented_route_with_the_reason_and_inputs_as_template_parameters()
    {
        using var runs = Runs();

        var result = await runs.QueueAsync(DriftRequest);

        _azure.Requests.ShouldBe([$"POST /fabrikam/{FakeAzureDevOps.ProjectId}/_apis/pipelines/12/runs?api-version=7.1"]);
        var run = _azure.Runs.ShouldHaveSingleItem();
        run["templateParameters"]!["reason"]!.GetValue<string>().ShouldBe("drift: Tenure, MonthlyCharges");
        run["templateParameters"]!["window"]!.GetValue<string>().ShouldBe("2026-11-20/2026-11-27");
        run["resources"]!["repositories"]!["self"]!["refName"]!.GetValue<string>().ShouldBe("refs/heads/main");
        result.RunId.ShouldBe(run["id"]!.GetValue<int>());
        result.Name.ShouldBe(run["name"]!.GetValue<string>());
        result.State.ShouldBe("inProgress");
        result.WebUrl.ShouldBe($"{_azure.CollectionUri}Fabrikam%20Fiber/_build/results?buildId={result.RunId}");
        result.Parameters.ShouldBe(new Dictionary<string, string> { ["window"] = "2026-11-20/2026-11-27", ["reason"] = "drift: Tenure, MonthlyCharges" }, ignoreOrder: true);
    }

    [Fact]
    public async Task Without_a_branch_the_run_names_no_repository_resource_and_the_pipeline_uses_its_default_branch()
    {
        using var runs = Runs(project: FakeAzureDevOps.ProjectName);

        var result = await runs.QueueAsync(new PipelineRunRequest("requested"));

        result.Branch.ShouldBeNull();
        _azure.Requests.ShouldHaveSingleItem().ShouldStartWith("POST /fabrikam/Fabrikam%20Fiber/_apis/pipelines/12/runs?");
        _azure.Runs.ShouldHaveSingleItem()["resources"]!["repositories"]!["self"]!["refName"]!.GetValue<string>().ShouldBe("refs/heads/main");
    }

    [Fact]
    public async Task A_full_ref_is_passed_as_it_is()
    {
        using var runs = Runs();

        await runs.QueueAsync(DriftRequest with { Branch = "refs/tags/v2" });

        _azure.Runs.Single()["resources"]!["repositories"]!["self"]!["refName"]!.GetValue<string>().ShouldBe("refs/tags/v2");
    }

    [Fact]
    public async Task A_parameter_the_pipeline_does_not_declare_is_its_own_diagnostic_saying_to_declare_it()
    {
        _azure.TrainingPipelineParameters = ["reason"];
        using var runs = Runs();

        var diagnostic = await FailureOf(() => runs.QueueAsync(DriftRequest));

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzurePipelineParameterRejected);
        diagnostic.Message.ShouldContain("Unexpected parameter 'window'");
        diagnostic.Message.ShouldContain("pipeline 12");
        diagnostic.Hint!.ShouldContain("parameters:");
        _azure.Runs.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_pipeline_that_does_not_exist_is_reported_as_not_found_naming_the_request()
    {
        using var runs = Runs(pipelineId: 99);

        var diagnostic = await FailureOf(() => runs.QueueAsync(DriftRequest));

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzurePipelineNotFound);
        diagnostic.Message.ShouldContain($"POST {_azure.CollectionUri}{FakeAzureDevOps.ProjectId}/_apis/pipelines/99/runs");
        diagnostic.Hint!.ShouldContain("--pipeline-id");
    }

    [Fact]
    public async Task A_project_that_does_not_exist_is_reported_as_the_pipeline_not_found()
    {
        using var runs = Runs(project: "Contoso");

        var diagnostic = await FailureOf(() => runs.QueueAsync(DriftRequest));

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzurePipelineNotFound);
        diagnostic.Message.ShouldContain("TF200016");
    }

    [Fact]
    public async Task An_identity_without_queue_permission_is_forbidden_with_the_permission_to_grant()
    {
        _azure.ReadOnlyIdentity = true;
        using var runs = Runs();

        var diagnostic = await FailureOf(() => runs.QueueAsync(DriftRequest));

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzureDevOpsForbidden);
        diagnostic.Message.ShouldContain("TF215106");
        diagnostic.Hint!.ShouldContain("Queue builds");
        _azure.Runs.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_token_the_service_refuses_is_unauthorized_not_retried_and_not_printed()
    {
        using var runs = Runs(token: "expired-token");

        var diagnostic = await FailureOf(() => runs.QueueAsync(DriftRequest));

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzureDevOpsUnauthorized);
        diagnostic.Message.ShouldNotContain("expired-token");
        diagnostic.Hint!.ShouldContain("Build (Read & execute)");
        _azure.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Server_errors_and_throttling_are_retried_and_one_run_is_queued()
    {
        _azure.FailNext(1, HttpStatusCode.ServiceUnavailable);
        _azure.FailNext(1, HttpStatusCode.TooManyRequests, retryAfterSeconds: 0);
        using var runs = Runs();

        await runs.QueueAsync(DriftRequest);

        _azure.Runs.ShouldHaveSingleItem();
        _azure.Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task Server_errors_on_every_retry_end_as_a_server_error_diagnostic()
    {
        _azure.FailNext(10, HttpStatusCode.InternalServerError);
        using var runs = Runs();

        var diagnostic = await FailureOf(() => runs.QueueAsync(DriftRequest));

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzureDevOpsServerError);
        diagnostic.Message.ShouldContain("/_apis/pipelines/12/runs");
        _azure.Requests.Count.ShouldBe(4);
    }

    private static readonly Dictionary<string, string> Agent = new()
    {
        ["TF_BUILD"] = "True",
        ["SYSTEM_COLLECTIONURI"] = "https://dev.azure.com/fabrikam",
        ["SYSTEM_TEAMPROJECTID"] = FakeAzureDevOps.ProjectId,
        ["SYSTEM_TEAMPROJECT"] = FakeAzureDevOps.ProjectName,
        ["SYSTEM_ACCESSTOKEN"] = FakeAzureDevOps.Token,
    };

    [Fact]
    public void In_an_agent_job_the_pipeline_is_in_the_jobs_own_organization_and_project()
    {
        var pipeline = AzurePipeline.Resolve(Agent, "12");

        pipeline.ShouldBe(new AzurePipeline(new Uri("https://dev.azure.com/fabrikam/"), FakeAzureDevOps.ProjectId, 12, FakeAzureDevOps.Token));
        pipeline.ToString().ShouldNotContain(FakeAzureDevOps.Token);
    }

    [Fact]
    public void The_organization_and_project_can_be_given_explicitly()
    {
        var pipeline = AzurePipeline.Resolve(Agent, "7", "https://dev.azure.com/contoso/", "Models");

        pipeline.CollectionUri.ShouldBe(new Uri("https://dev.azure.com/contoso/"));
        pipeline.Project.ShouldBe("Models");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    [InlineData("churn-train")]
    [InlineData("0")]
    [InlineData("-3")]
    public void A_missing_or_non_numeric_pipeline_id_is_its_own_diagnostic(string? pipelineId)
    {
        var diagnostic = Should.Throw<MlOpsException>(() => AzurePipeline.Resolve(Agent, pipelineId)).Diagnostics.ShouldHaveSingleItem();

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzurePipelineIdMissing);
        diagnostic.Hint!.ShouldContain("definitionId");
    }

    [Fact]
    public void Outside_an_agent_every_missing_setting_is_named_in_one_diagnostic()
    {
        var diagnostic = Should.Throw<MlOpsException>(() => AzurePipeline.Resolve(new Dictionary<string, string>(), "12")).Diagnostics.ShouldHaveSingleItem();

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzurePipelineRunTargetMissing);
        diagnostic.Message.ShouldContain("--collection-uri or SYSTEM_COLLECTIONURI");
        diagnostic.Message.ShouldContain("--project or SYSTEM_TEAMPROJECTID");
        diagnostic.Message.ShouldContain("SYSTEM_ACCESSTOKEN");
    }

    [Fact]
    public void A_collection_that_is_not_an_http_url_is_refused()
    {
        var diagnostic = Should.Throw<MlOpsException>(() => AzurePipeline.Resolve(Agent, "12", "dev.azure.com/fabrikam")).Diagnostics.ShouldHaveSingleItem();

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzurePipelineRunTargetMissing);
        diagnostic.Message.ShouldContain("'dev.azure.com/fabrikam'");
    }

    [Theory]
    [InlineData("window")]
    [InlineData("=2026")]
    [InlineData("reason=drift")]
    public void A_malformed_input_is_its_own_diagnostic(string pair)
    {
        var diagnostic = Should.Throw<MlOpsException>(() => AzurePipelineRuns.ParseParameters([pair])).Diagnostics.ShouldHaveSingleItem();

        diagnostic.Code.ShouldBe(DiagnosticCodes.AzurePipelineRunInputInvalid);
        diagnostic.Message.ShouldContain(pair);
    }

    [Fact]
    public void A_repeated_input_is_refused_and_values_may_hold_equals_signs()
    {
        AzurePipelineRuns.ParseParameters(["filter=a=b"]).ShouldBe(new Dictionary<string, string> { ["filter"] = "a=b" });
        Should.Throw<MlOpsException>(() => AzurePipelineRuns.ParseParameters(["window=1", "window=2"])).Diagnostics[0].Code
            .ShouldBe(DiagnosticCodes.AzurePipelineRunInputInvalid);
    }
}
