using System.Text.Json;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.GitHub.Tests.Fake;
using MlOps.Ci.Testing;

namespace MlOps.Ci.GitHub.Tests;

/// <summary>
/// <c>mlops report</c> — the real CLI, as the GitHub Action runs it (inputs as MLOPS_* variables, the runner's GITHUB_*
/// variables and event payload) — against the fake GitHub: the pull-request quality gate end to end.
/// </summary>
public sealed class ReportCommandSpecs(ChurnPackages packages) : GitHubFixture, IClassFixture<ChurnPackages>, IDisposable
{
    private const int PullRequest = 7;
    private readonly TempFolder _runner = new();

    public void Dispose() => _runner.Dispose();

    private async Task<(MlopsTool.Result Result, string Outputs, string Summary)> ReportAsync(string candidate, string baseline, string headSha,
        string token = FakeGitHub.WriteToken, string? registry = null)
    {
        var eventPath = _runner.PathOf($"event-{headSha[..4]}.json");
        File.WriteAllText(eventPath, JsonSerializer.Serialize(new { pull_request = new { number = PullRequest, head = new { sha = headSha } } }));
        var outputs = _runner.PathOf($"output-{headSha[..4]}");
        var summary = _runner.PathOf("step-summary.md");
        File.WriteAllText(outputs, "");
        var environment = new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_REPOSITORY"] = $"{FakeGitHub.Owner}/{FakeGitHub.Repo}",
            ["GITHUB_API_URL"] = Fake.ApiUrl,
            ["GITHUB_TOKEN"] = token,
            ["GITHUB_EVENT_NAME"] = "pull_request",
            ["GITHUB_EVENT_PATH"] = eventPath,
            ["GITHUB_SHA"] = headSha,
            ["GITHUB_OUTPUT"] = outputs,
            ["GITHUB_STEP_SUMMARY"] = summary,
            ["GITHUB_WORKSPACE"] = _runner.Root,
            ["MLOPS_PACKAGE"] = candidate,
            ["MLOPS_BASELINE"] = baseline,
        };
        if (registry is not null)
            environment["MLOPS_REGISTRY"] = registry;
        var result = await MlopsTool.RunAsync(environment, "report", "--output", _runner.PathOf($"report-{headSha[..4]}.md"));
        return (result, File.ReadAllText(outputs), File.Exists(summary) ? File.ReadAllText(summary) : "");
    }

    private static string Row(string metric, double baseline, double candidate) =>
        $"| {metric} | {QualityGatesFormat(baseline)} | {QualityGatesFormat(candidate)} | ";

    private static string QualityGatesFormat(double value) => Evaluation.QualityGates.Format(value);

    [Fact]
    public async Task Two_pushes_to_a_pull_request_update_one_comment_whose_table_shows_the_real_metric_change_and_checks_follow_the_gates()
    {
        Fake.PullRequests.Add(PullRequest);
        var firstPush = new string('a', 40);
        var secondPush = new string('b', 40);
        var (baseAuc, weakAuc, strongAuc) = (packages.Auc(packages.Baseline), packages.Auc(packages.Weaker), packages.Auc(packages.Stronger));
        (baseAuc - weakAuc).ShouldBeGreaterThan(0.005, "the weaker package must really fall by more than its MaxDecrease");
        strongAuc.ShouldBeGreaterThan(baseAuc);

        var (first, firstOutputs, _) = await ReportAsync(packages.Weaker, packages.Baseline, firstPush);

        first.ExitCode.ShouldBe(1, first.ToString());
        first.StandardOutput.ShouldContain("::error title=MLOPS3102::Quality gate failed: AUC fell by");
        firstOutputs.ShouldContain("gate-passed=false\n");
        firstOutputs.ShouldContain($"report-path={_runner.PathOf("report-aaaa.md")}\n");
        var comment = Fake.Comments.ShouldHaveSingleItem();
        comment.Body.ShouldContain(Row("AUC", baseAuc, weakAuc) + "−");
        comment.Body.ShouldContain("❌");
        Fake.CheckRuns.ShouldHaveSingleItem().Conclusion.ShouldBe("failure");

        var (second, secondOutputs, summary) = await ReportAsync(packages.Stronger, packages.Baseline, secondPush);

        second.ExitCode.ShouldBe(0, second.ToString());
        secondOutputs.ShouldContain("gate-passed=true\n");
        var updated = Fake.Comments.ShouldHaveSingleItem("one comment, updated in place, never a second");
        updated.Id.ShouldBe(comment.Id);
        updated.Body.ShouldContain(Row("AUC", baseAuc, strongAuc) + "+");
        updated.Body.ShouldNotContain(Row("AUC", baseAuc, weakAuc));
        updated.Body.ShouldContain("| NumberOfTrees | 10 | 40 |");
        updated.Body.ShouldContain("| data/train-all.csv | training | 4,000 |");
        updated.Body.ShouldContain("```mermaid");
        Fake.CheckRuns.Select(r => (r.HeadSha, r.Conclusion)).ShouldBe([(firstPush, "failure"), (secondPush, "success")]);
        Fake.CheckRuns[1].Title.ShouldBe("churn 1.2.0: quality gate passed");
        summary.ShouldContain("## ❌ churn 1.1.0");
        summary.ShouldContain("## ✅ churn 1.2.0", Case.Sensitive, "each run adds its report to the job's step summary");
    }

    [Fact]
    public async Task A_fork_pull_request_with_a_read_only_token_is_still_gated_and_summarised_but_not_commented()
    {
        Fake.PullRequests.Add(PullRequest);

        var (result, outputs, summary) = await ReportAsync(packages.Stronger, packages.Baseline, new string('c', 40), token: FakeGitHub.ReadOnlyToken);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.ShouldContain($"::warning title={DiagnosticCodes.GitHubTokenReadOnly}::");
        result.StandardOutput.Split('\n').Where(l => l.Contains(FakeGitHub.ReadOnlyToken, StringComparison.Ordinal))
            .ShouldBe([$"::add-mask::{FakeGitHub.ReadOnlyToken}"], "the token is masked first and never printed otherwise");
        outputs.ShouldContain("gate-passed=true\n");
        summary.ShouldContain("## ✅ churn 1.2.0");
        Fake.Comments.ShouldBeEmpty();
        Fake.Violations.Clear();
    }

    [Fact]
    public async Task A_first_model_has_no_baseline_in_the_registry_so_the_report_says_so_and_only_absolute_bounds_gate()
    {
        Fake.PullRequests.Add(PullRequest);
        var registry = _runner.PathOf("empty-registry");
        Directory.CreateDirectory(registry);

        var (result, _, _) = await ReportAsync(packages.Weaker, "production", new string('d', 40), registry: registry);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.ShouldContain($"::warning title={DiagnosticCodes.BaselineNotFound}::");
        var comment = Fake.Comments.ShouldHaveSingleItem();
        comment.Body.ShouldContain("treated as the first model");
        comment.Body.ShouldContain("no baseline to compare with");
        Fake.CheckRuns.ShouldHaveSingleItem().Conclusion.ShouldBe("success");
    }
}
