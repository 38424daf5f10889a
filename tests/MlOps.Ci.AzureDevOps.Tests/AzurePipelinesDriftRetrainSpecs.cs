using System.Globalization;
using MlOps.Ci.AzureDevOps.Tests.Fakes;
using MlOps.Ci.AzureDevOps.Tests.Support;
using MlOps.Ci.Testing;

namespace MlOps.Ci.AzureDevOps.Tests;

/// <summary>
/// <c>mlops drift --retrain-pipeline-id</c> — the real CLI in a scheduled Azure Pipelines job, as samples/azure-pipelines/
/// drift-check.yml runs it — queues the training pipeline on the fake Azure DevOps only when retraining is advised.
/// </summary>
public sealed class AzurePipelinesDriftRetrainSpecs(ChurnPackages packages) : FakeAzureDevOpsFixture, IClassFixture<ChurnPackages>
{
    /// <summary>The sample's held-out rows, with Tenure and MonthlyCharges moved when <paramref name="shifted"/>.</summary>
    private string LiveData(bool shifted)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "samples", "churn", "data", "test.csv"));
        var header = lines[0].Split(',');
        var (tenure, charges) = (Array.IndexOf(header, "Tenure"), Array.IndexOf(header, "MonthlyCharges"));
        return Agent.WriteLines(shifted ? "shifted.csv" : "unshifted.csv", lines.Take(1).Concat(lines.Skip(1).Select(line =>
        {
            var cells = line.Split(',');
            if (shifted && cells[tenure].Length > 0)
                cells[tenure] = (double.Parse(cells[tenure], CultureInfo.InvariantCulture) + 30).ToString(CultureInfo.InvariantCulture);
            if (shifted && cells[charges].Length > 0)
                cells[charges] = (double.Parse(cells[charges], CultureInfo.InvariantCulture) * 1.5).ToString("0.00", CultureInfo.InvariantCulture);
            return string.Join(',', cells);
        })));
    }

    private Task<MlopsTool.Result> DriftAsync(string input)
    {
        var environment = AgentJob();
        environment["BUILD_SOURCEBRANCH"] = "refs/heads/main";
        environment["MLOPS_PACKAGE"] = packages.Baseline;
        return MlopsTool.RunAsync(environment, "drift", "--input", input, "--retrain-pipeline-id", FakeAzureDevOps.TrainingPipelineId.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Shifted_inputs_queue_the_training_pipeline_with_the_drifted_features_as_the_reason()
    {
        var result = await DriftAsync(LiveData(shifted: true));

        result.ExitCode.ShouldBe(1, result.ToString());
        var commands = AgentCommand.In(result.StandardOutput);
        commands.ShouldContain(c => c.Command == "task.setvariable" && c["variable"] == "retrain" && c.Message == "true");
        var run = Azure.Runs.ShouldHaveSingleItem();
        var reason = run["templateParameters"]!["reason"]!.GetValue<string>();
        reason.ShouldStartWith("Drift in ");
        reason.ShouldContain("Tenure");
        reason.ShouldContain("MonthlyCharges");
        reason.ShouldNotContain("Contract");
        run["templateParameters"]!.AsObject().ContainsKey("window").ShouldBeFalse("a CSV has no timestamps, so no window is claimed");
        run["resources"]!["repositories"]!["self"]!["refName"]!.GetValue<string>().ShouldBe("refs/heads/main");
        result.StandardOutput.ShouldContain($"Queued run {run["name"]} of pipeline 12");
    }

    [Fact]
    public async Task Unshifted_inputs_queue_nothing()
    {
        var result = await DriftAsync(LiveData(shifted: false));

        result.ExitCode.ShouldBe(0, result.ToString());
        AgentCommand.In(result.StandardOutput).ShouldContain(c => c.Command == "task.setvariable" && c["variable"] == "retrain" && c.Message == "false");
        Azure.Requests.ShouldBeEmpty();
    }
}
