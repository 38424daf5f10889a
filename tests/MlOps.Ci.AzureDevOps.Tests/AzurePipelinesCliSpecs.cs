using MlOps.Ci.AzureDevOps.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Testing;

namespace MlOps.Ci.AzureDevOps.Tests;

/// <summary>
/// The real mlops CLI under <c>TF_BUILD=True</c> on the churn sample: the logging commands it prints are what an
/// Azure Pipelines job acts on (output variables, issues on files and lines, the task result following the gates).
/// </summary>
public sealed class AzurePipelinesCliSpecs : IDisposable
{
    private const int TrainingRows = 1500;
    private const int EvaluationRows = 1000;

    private readonly TempFolder _folder = new();
    private readonly string _training;
    private readonly string _evaluation;

    public AzurePipelinesCliSpecs()
    {
        var data = Path.Combine(RepositoryRoot.Path, "samples", "churn", "data");
        _training = _folder.WriteLines("data/train.csv", File.ReadLines(Path.Combine(data, "train.csv")).Take(TrainingRows + 1));
        _evaluation = _folder.WriteLines("data/test.csv", File.ReadLines(Path.Combine(data, "test.csv")).Take(EvaluationRows + 1));
    }

    public void Dispose() => _folder.Dispose();

    private async Task<(MlopsTool.Result Result, IReadOnlyList<AgentCommand> Commands)> RunAsync(params QualityGate[] gates)
    {
        var definition = Definitions.In(_folder, "Churned", [_training], [_evaluation]) with
        {
            ModelName = "churn",
            ModelVersion = "2.1.0",
            IgnoreColumns = ["CustomerId"],
            Hyperparameters = new Dictionary<string, string> { ["NumberOfTrees"] = "50", ["NumberOfLeaves"] = "16", ["LearningRate"] = "0.1" },
            QualityGates = gates,
        };
        var definitionFile = _folder.PathOf("obj/mlops/pipeline.json");
        MlOpsJson.WriteFile(definitionFile, definition);

        var result = await MlopsTool.RunAsync(new Dictionary<string, string>
            {
                ["TF_BUILD"] = "True",
                ["BUILD_SOURCESDIRECTORY"] = _folder.Root,
                ["AGENT_TEMPDIRECTORY"] = _folder.PathOf("_temp"),
            },
            "run", "--definition", definitionFile, "--cache-dir", _folder.PathOf("model-cache"), "--lock-mode", "None");
        return (result, AgentCommand.In(result.StandardOutput + "\n" + result.StandardError));
    }

    private static Dictionary<string, string> Variables(IEnumerable<AgentCommand> commands) =>
        commands.Where(c => c.Command == "task.setvariable").ToDictionary(c => c["variable"], c => c.Message);

    [Fact]
    public async Task A_passing_run_sets_the_output_variables_and_succeeds()
    {
        var (result, commands) = await RunAsync(new QualityGate("AUC", Minimum: 0.75), new QualityGate("LogLoss", Maximum: 0.6));

        result.ExitCode.ShouldBe(0, result.ToString());
        commands.Where(c => c.Command == "task.setvariable").ShouldAllBe(c => c.Properties["isOutput"] == "true");
        var variables = Variables(commands);
        variables.ShouldContainKey("modelVersion", result.ToString());
        variables["modelVersion"].ShouldStartWith("2.1.0");
        variables["fingerprint"].ShouldNotBeNullOrWhiteSpace();
        variables["packagePath"].ShouldBe(_folder.PathOf("bin/test-model.mlpkg"));
        File.Exists(variables["packagePath"]).ShouldBeTrue();
        variables["gatePassed"].ShouldBe("true");
        commands.ShouldNotContain(c => c.Command == "task.logissue" && c.Properties["type"] == "error");
        var complete = commands.Last();
        complete.Command.ShouldBe("task.complete");
        complete["result"].ShouldBe("Succeeded");
    }

    [Fact]
    public async Task An_impossible_gate_is_an_error_on_the_project_file_and_fails_the_task()
    {
        var (result, commands) = await RunAsync(new QualityGate("AUC", Minimum: 0.999));

        result.ExitCode.ShouldBe(1, result.ToString());
        var issue = commands.Where(c => c.Command == "task.logissue").ShouldHaveSingleItem(result.ToString());
        issue["type"].ShouldBe("error");
        issue["code"].ShouldBe(DiagnosticCodes.GateFailed);
        issue["sourcepath"].ShouldBe("model.mlproj");
        issue.Message.ShouldContain("AUC");
        Variables(commands).ShouldContainKeyAndValue("gatePassed", "false", result.ToString());
        var complete = commands.Last();
        complete.Command.ShouldBe("task.complete");
        complete["result"].ShouldBe("Failed");
        complete.Message.ShouldContain(DiagnosticCodes.GateFailed);
    }

    [Fact]
    public async Task A_corrupted_csv_is_an_error_on_its_file_line_and_column()
    {
        // Past the rows the schema is inferred from, so Tenure is numeric and the bad value is a data error.
        var lines = File.ReadAllLines(_training);
        var fields = lines[1200].Split(',');
        fields[1] = "twelve";
        lines[1200] = string.Join(',', fields);
        File.WriteAllLines(_training, lines);

        var (result, commands) = await RunAsync(new QualityGate("AUC", Minimum: 0.75));

        result.ExitCode.ShouldBe(1, result.ToString());
        var issue = commands.Where(c => c.Command == "task.logissue").ShouldHaveSingleItem(result.ToString());
        issue.Properties.ShouldBe(new Dictionary<string, string>
        {
            ["type"] = "error",
            ["sourcepath"] = "data/train.csv",
            ["linenumber"] = "1201",
            ["columnnumber"] = "2",
            ["code"] = DiagnosticCodes.UnparsableNumber,
        });
        issue.Message.ShouldContain("'twelve'");
        commands.Last()["result"].ShouldBe("Failed");
    }
}
