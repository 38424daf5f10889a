using MlOps.Ci.AzureDevOps.Tests.Fakes;
using MlOps.Ci.AzureDevOps.Tests.Support;
using MlOps.Ci.Testing;

namespace MlOps.Ci.AzureDevOps.Tests;

/// <summary>
/// <c>mlops report</c> — the real CLI in an Azure Pipelines pull-request build, as the MlOpsCi task runs it — against
/// the fake Azure DevOps: one comment thread updated in place, a PR status and the task result following the gates.
/// </summary>
public sealed class AzureReposReportCliSpecs(ChurnPackages packages) : IClassFixture<ChurnPackages>, IAsyncLifetime
{
    private readonly TempFolder _agent = new();
    private FakeAzureDevOps _azure = null!;

    public async Task InitializeAsync() => _azure = await FakeAzureDevOps.StartAsync();

    public async Task DisposeAsync()
    {
        await _azure.DisposeAsync();
        _agent.Dispose();
        string.Join("\n", _azure.ContractViolations).ShouldBeEmpty();
    }

    private Task<MlopsTool.Result> ReportAsync(string candidate) => MlopsTool.RunAsync(new Dictionary<string, string>
        {
            ["TF_BUILD"] = "True",
            ["BUILD_SOURCESDIRECTORY"] = _agent.Root,
            ["AGENT_TEMPDIRECTORY"] = _agent.PathOf("_temp"),
            ["SYSTEM_ACCESSTOKEN"] = FakeAzureDevOps.Token,
            ["SYSTEM_COLLECTIONURI"] = _azure.CollectionUri.ToString(),
            ["SYSTEM_TEAMPROJECTID"] = FakeAzureDevOps.ProjectId,
            ["SYSTEM_TEAMPROJECT"] = FakeAzureDevOps.ProjectName,
            ["BUILD_REPOSITORY_ID"] = FakeAzureDevOps.RepositoryId,
            ["BUILD_REPOSITORY_NAME"] = FakeAzureDevOps.RepositoryName,
            ["BUILD_REPOSITORY_PROVIDER"] = "TfsGit",
            ["SYSTEM_PULLREQUEST_PULLREQUESTID"] = FakeAzureDevOps.PullRequestId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["BUILD_BUILDID"] = "1207",
            ["MLOPS_PACKAGE"] = candidate,
            ["MLOPS_BASELINE"] = packages.Baseline,
        },
        "report", "--output", _agent.PathOf("report.md"));

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
        var thread = _azure.Threads.ShouldHaveSingleItem();
        var firstBody = thread["comments"]![0]!["content"]!.GetValue<string>();
        firstBody.ShouldContain("❌ churn 1.1.0");

        var passing = await ReportAsync(packages.Stronger);

        passing.ExitCode.ShouldBe(0, passing.ToString());
        AgentCommand.In(passing.StandardOutput).Last(c => c.Command == "task.complete")["result"].ShouldBe("Succeeded");
        var updated = _azure.Threads.ShouldHaveSingleItem("one thread, its comment edited in place");
        updated["id"]!.GetValue<int>().ShouldBe(thread["id"]!.GetValue<int>());
        var body = updated["comments"]!.AsArray().ShouldHaveSingleItem()!["content"]!.GetValue<string>();
        body.ShouldContain("✅ churn 1.2.0");
        body.ShouldContain("| NumberOfTrees | 10 | 40 |");
        _azure.Statuses.Select(s => s["state"]!.GetValue<string>()).ShouldBe(["failed", "succeeded"]);
        _azure.Statuses.ShouldAllBe(s => s["context"]!["genre"]!.GetValue<string>() == "mlops" && s["context"]!["name"]!.GetValue<string>() == "quality-gate");
    }
}
