using MlOps.Ci.AzureDevOps.Tests.Fakes;
using MlOps.Ci.AzureDevOps.Tests.Support;
using MlOps.Ci.Testing;

namespace MlOps.Ci.AzureDevOps.Tests;

/// <summary>
/// <c>mlops report</c> — the real CLI in an Azure Pipelines pull-request build, as the MlOpsCi task runs it — against
/// the fake Azure DevOps: one comment thread updated in place, a PR status and the task result following the gates.
/// </summary>
public sealed class AzureReposReportCliSpecs(ChurnPackages packages) : FakeAzureDevOpsFixture, IClassFixture<ChurnPackages>
{
    private Task<MlopsTool.Result> ReportAsync(string candidate)
    {
        var environment = AgentJob();
        environment["BUILD_REPOSITORY_ID"] = FakeAzureDevOps.RepositoryId;
        environment["BUILD_REPOSITORY_NAME"] = FakeAzureDevOps.RepositoryName;
        environment["BUILD_REPOSITORY_PROVIDER"] = "TfsGit";
        environment["SYSTEM_PULLREQUEST_PULLREQUESTID"] = FakeAzureDevOps.PullRequestId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["BUILD_BUILDID"] = "1207";
        environment["MLOPS_PACKAGE"] = candidate;
        environment["MLOPS_BASELINE"] = packages.Baseline;
        return MlopsTool.RunAsync(environment, "report", "--output", Agent.PathOf("report.md"));
    }

    [Fact]
    public async Task Two_runs_on_a_pull_request_update_one_thread_set_the_status_and_the_task_result_follows_the_gates()
    {
        var failing = await ReportAsync(packages.Weaker);

        failing.ExitCode.ShouldBe(1, failing.ToString());
        var commands = AgentCommand.In(failing.StandardOutput);
        commands.ShouldContain(c => c.Command == "task.logissue" && c["type"] == "error" && c["code"] == "MLOPS3102");
        commands.ShouldContain(c => c.Command == "task.setvariable" && c["variable"] == "gatePassed" && c.Message == "false");
        commands.ShouldContain(c => c.Command == "task.uploadsummary");
        commands.Last(c => c.Command == "task.complete")["result"].ShouldBe("Failed");
        var thread = Azure.Threads.ShouldHaveSingleItem();
        var firstBody = thread["comments"]![0]!["content"]!.GetValue<string>();
        firstBody.ShouldContain("❌ churn 1.1.0");

        var passing = await ReportAsync(packages.Stronger);

        passing.ExitCode.ShouldBe(0, passing.ToString());
        AgentCommand.In(passing.StandardOutput).Last(c => c.Command == "task.complete")["result"].ShouldBe("Succeeded");
        var updated = Azure.Threads.ShouldHaveSingleItem("one thread, its comment edited in place");
        updated["id"]!.GetValue<int>().ShouldBe(thread["id"]!.GetValue<int>());
        var body = updated["comments"]!.AsArray().ShouldHaveSingleItem()!["content"]!.GetValue<string>();
        body.ShouldContain("✅ churn 1.2.0");
        body.ShouldContain("| NumberOfTrees | 10 | 40 |");
        Azure.Statuses.Select(s => s["state"]!.GetValue<string>()).ShouldBe(["failed", "succeeded"]);
        Azure.Statuses.ShouldAllBe(s => s["context"]!["genre"]!.GetValue<string>() == "mlops" && s["context"]!["name"]!.GetValue<string>() == "quality-gate");
    }
}
