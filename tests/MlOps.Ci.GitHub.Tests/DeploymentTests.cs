using MlOps.Ci.Diagnostics;
using MlOps.Ci.GitHub.Deployments;
using MlOps.Ci.GitHub.Tests.Fake;

namespace MlOps.Ci.GitHub.Tests;

public sealed class DeploymentTests : GitHubFixture
{
    private static readonly string CommitOne = new('a', 40);
    private static readonly string CommitTwo = new('b', 40);

    private static DeploymentPayload Model(string version) =>
        new($"ghcr.io/octo-org/churn:{version}", $"sha256:{version.Replace(".", "", StringComparison.Ordinal).PadLeft(64, '0')}", version, $"xxh128:{version}");

    private Task<PromotionResult> PromoteAsync(string environment, string sha, string version, string? requires = null) =>
        new GitHubDeployments(Api()).PromoteAsync(new PromotionRequest(environment, sha, Model(version))
        {
            EnvironmentUrl = $"https://{environment}.example.com/churn",
            RequiresEnvironment = requires,
            LogUrl = "https://github.com/octo-org/churn-model/actions/runs/1",
        });

    [Fact]
    public async Task Promote_promote_rollback_in_staging_leaves_what_GitHub_leaves()
    {
        var first = await PromoteAsync("staging", CommitOne, "1.0.0");
        var second = await PromoteAsync("staging", CommitTwo, "1.1.0");
        var rollback = await new GitHubDeployments(Api()).RollbackAsync("staging");

        Fake.Deployments.Select(d => (d.Id, d.Environment, d.Sha, (string?)d.Payload["modelVersion"], d.Production)).ShouldBe(
        [
            (first.DeploymentId, "staging", CommitOne, "1.0.0", false),
            (second.DeploymentId, "staging", CommitTwo, "1.1.0", false),
            (rollback.DeploymentId, "staging", CommitOne, "1.0.0", false),
        ]);
        // GitHub's auto_inactive marks the earlier successful deployment inactive when the next one succeeds.
        Fake.Deployments.Select(d => d.States).ShouldBe(
        [
            ["in_progress", "success", "inactive"],
            ["in_progress", "success", "inactive"],
            ["in_progress", "success"],
        ]);
        second.DeactivatedDeploymentIds.ShouldBe([first.DeploymentId]);
        rollback.DeactivatedDeploymentIds.ShouldBe([second.DeploymentId]);
        rollback.Payload.ShouldBe(Model("1.0.0"));
        rollback.DeploymentUrl.ShouldBe("https://staging.example.com/churn");
        Fake.Deployments[2].Statuses[1].EnvironmentUrl.ShouldBe("https://staging.example.com/churn");
        Fake.Deployments[2].Description.ShouldBe("Rollback to model 1.0.0 (from 1.1.0)");
    }

    [Fact]
    public async Task In_production_where_GitHub_does_not_deactivate_the_earlier_deployment_is_marked_inactive_explicitly()
    {
        var first = await PromoteAsync("production", CommitOne, "1.0.0");
        var second = await PromoteAsync("production", CommitTwo, "1.1.0");
        var rollback = await new GitHubDeployments(Api()).RollbackAsync("production");

        Fake.Deployments.Select(d => d.Production).ShouldAllBe(production => production);
        Fake.Deployments.Select(d => d.States).ShouldBe(
        [
            ["in_progress", "success", "inactive"],
            ["in_progress", "success", "inactive"],
            ["in_progress", "success"],
        ]);
        Fake.Deployments[0].Statuses[2].Description.ShouldBe($"Superseded by deployment {second.DeploymentId}");
        Fake.Deployments[1].Statuses[2].Description.ShouldBe($"Superseded by deployment {rollback.DeploymentId}");
        first.DeactivatedDeploymentIds.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_deployment_is_created_for_the_commit_with_the_model_payload_and_without_merging_or_status_checks()
    {
        var result = await PromoteAsync("staging", CommitOne, "1.0.0");

        var create = Fake.Requests.Single(r => r.OperationId == "repos/create-deployment").Json!;
        create.ToJsonString().ShouldBe(
            $$"""{"ref":"{{CommitOne}}","task":"deploy","auto_merge":false,"required_contexts":[],"payload":{"image":"ghcr.io/octo-org/churn:1.0.0","imageDigest":"sha256:{{new string('0', 61)}}100","modelVersion":"1.0.0","fingerprint":"xxh128:1.0.0"},"environment":"staging","description":"Model 1.0.0"}""",
            customMessage: "key order is Octokit's; the content is what matters");
        var statuses = Fake.Requests.Where(r => r.OperationId == "repos/create-deployment-status").Select(r => r.Json!).ToList();
        statuses.Select(s => ((string?)s["state"], (bool?)s["auto_inactive"], (string?)s["environment_url"])).ShouldBe(
        [
            ("in_progress", false, null),
            ("success", true, "https://staging.example.com/churn"),
        ]);
        result.DeploymentId.ShouldBe(Fake.Deployments.Single().Id);
        result.ModelVersion.ShouldBe("1.0.0");
    }

    [Fact]
    public async Task Production_requires_the_version_to_have_succeeded_in_staging()
    {
        var never = await Should.ThrowAsync<MlOpsException>(() => PromoteAsync("production", CommitOne, "2.0.0", requires: "staging"));
        never.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.PromotionNotSucceededInRequiredEnvironment);
        never.Diagnostics[0].Message.ShouldContain("Model 2.0.0 was never deployed to staging");

        Fake.SeedDeployment("staging", CommitOne, Model("2.0.0").ToDictionary(), "in_progress", "failure");
        var failed = await Should.ThrowAsync<MlOpsException>(() => PromoteAsync("production", CommitOne, "2.0.0", requires: "staging"));
        failed.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.PromotionFailedInRequiredEnvironment);
        Fake.Deployments.ShouldAllBe(d => d.Environment == "staging");

        await PromoteAsync("staging", CommitOne, "2.0.0");
        await PromoteAsync("staging", CommitTwo, "2.1.0");
        var promoted = await PromoteAsync("production", CommitOne, "2.0.0", requires: "staging");

        // 2.0.0 is inactive in staging by now (2.1.0 replaced it), but it did succeed there: that is what counts.
        promoted.Environment.ShouldBe("production");
        Fake.Deployments.Single(d => d.Environment == "production").States.ShouldBe(["in_progress", "success"]);

        // A later try of 2.1.0 in staging that failed outweighs its earlier success.
        Fake.SeedDeployment("staging", CommitTwo, Model("2.1.0").ToDictionary(), "in_progress", "error");
        var failedLast = await Should.ThrowAsync<MlOpsException>(() => PromoteAsync("production", CommitTwo, "2.1.0", requires: "staging"));
        failedLast.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.PromotionFailedInRequiredEnvironment);
    }

    [Fact]
    public async Task A_version_still_in_progress_in_staging_is_not_promoted()
    {
        Fake.SeedDeployment("staging", CommitOne, Model("3.0.0").ToDictionary(), "in_progress");

        var error = await Should.ThrowAsync<MlOpsException>(() => PromoteAsync("production", CommitOne, "3.0.0", requires: "staging"));

        error.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.PromotionNotSucceededInRequiredEnvironment);
        error.Diagnostics[0].Message.ShouldContain("InProgress");
    }

    [Fact]
    public async Task Rollback_without_an_earlier_version_fails_clearly()
    {
        var empty = await Should.ThrowAsync<MlOpsException>(() => new GitHubDeployments(Api()).RollbackAsync("production"));
        empty.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.NoPreviousDeployment);

        await PromoteAsync("production", CommitOne, "1.0.0");
        await PromoteAsync("production", CommitTwo, "1.0.0");
        var only = await Should.ThrowAsync<MlOpsException>(() => new GitHubDeployments(Api()).RollbackAsync("production"));
        only.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.NoPreviousDeployment);
        only.Diagnostics[0].Message.ShouldContain("model 1.0.0");
        Fake.Deployments.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Rollback_skips_a_version_that_never_succeeded()
    {
        await PromoteAsync("staging", CommitOne, "1.0.0");
        Fake.SeedDeployment("staging", CommitTwo, Model("1.1.0").ToDictionary(), "in_progress", "failure");
        await PromoteAsync("staging", CommitTwo, "1.2.0");

        var rollback = await new GitHubDeployments(Api()).RollbackAsync("staging");

        rollback.ModelVersion.ShouldBe("1.0.0");
        rollback.Sha.ShouldBe(CommitOne);
    }

    [Fact]
    public async Task When_GitHub_keeps_failing_the_success_status_the_deployment_ends_in_failure_with_the_reason()
    {
        // The in_progress status goes through; the success status gets 502 on the first try and on both retries.
        Fake.FailNext("repos/create-deployment-status", count: 3, System.Net.HttpStatusCode.BadGateway, skip: 1);

        var error = await Should.ThrowAsync<MlOpsException>(() => PromoteAsync("staging", CommitOne, "1.0.0"));

        error.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.GitHubServerError);
        var deployment = Fake.Deployments.ShouldHaveSingleItem();
        deployment.States.ShouldBe(["in_progress", "failure"]);
        deployment.Statuses[1].Description.ShouldStartWith("MLOPS8005: POST /repos/octo-org/churn-model/deployments/");
        deployment.Statuses[1].Description.Length.ShouldBeLessThanOrEqualTo(140);
    }
}
