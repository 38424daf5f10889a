using MlOps.Ci.Diagnostics;
using MlOps.Ci.GitHub.Workflows;

namespace MlOps.Ci.GitHub.Tests;

public sealed class WorkflowDispatchTests : GitHubFixture
{
    [Fact]
    public async Task Retraining_dispatches_the_workflow_on_the_ref_with_the_reason_and_the_given_inputs()
    {
        Fake.Workflows["train.yml"] = ["reason", "psi", "column"];

        var result = await new GitHubWorkflows(Api()).DispatchAsync(new RetrainRequest("train.yml", "main", "drift above 0.2 in production")
        {
            Inputs = GitHubWorkflows.ParseInputs(["psi=0.31", "column=tenure=months"]),
        });

        var dispatch = Fake.Dispatches.ShouldHaveSingleItem();
        dispatch.Workflow.ShouldBe("train.yml");
        dispatch.Ref.ShouldBe("main");
        Fake.Requests.Single(r => r.OperationId == "actions/create-workflow-dispatch").Json!.ToJsonString()
            .ShouldBe("""{"ref":"main","inputs":{"psi":"0.31","column":"tenure=months","reason":"drift above 0.2 in production"}}""");
        result.Inputs["reason"].ShouldBe("drift above 0.2 in production");
    }

    [Theory]
    [InlineData("novalue")]
    [InlineData("=x")]
    [InlineData("reason=x")]
    public void A_malformed_input_gets_its_own_code(string pair)
    {
        Should.Throw<MlOpsException>(() => GitHubWorkflows.ParseInputs([pair])).Diagnostics[0].Code.ShouldBe(DiagnosticCodes.WorkflowInputInvalid);
    }

    [Fact]
    public async Task More_inputs_than_GitHub_accepts_are_refused_before_any_request()
    {
        var inputs = Enumerable.Range(0, 25).ToDictionary(i => $"k{i}", i => "v");

        var error = await Should.ThrowAsync<MlOpsException>(() =>
            new GitHubWorkflows(Api()).DispatchAsync(new RetrainRequest("train.yml", "main", "drift") { Inputs = inputs }));

        error.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.WorkflowInputInvalid);
        Fake.Requests.ShouldBeEmpty();
    }
}
