using MlOps.Ci.Automation;
using MlOps.Ci.AzureDevOps.Pipelines;
using MlOps.Ci.AzureDevOps.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Testing;

namespace MlOps.Ci.AzureDevOps.Tests;

/// <summary>What the CLI prints under Azure Pipelines: each logging command in the agent's form and escaping.</summary>
public sealed class AzurePipelinesHostSpecs : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly StringWriter _log = new();

    public void Dispose() => _folder.Dispose();

    private AzurePipelinesHost Host(params (string Name, string Value)[] variables)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["TF_BUILD"] = "True",
            ["BUILD_SOURCESDIRECTORY"] = _folder.PathOf("s"),
            ["AGENT_TEMPDIRECTORY"] = _folder.PathOf("_temp"),
        };
        foreach (var (name, value) in variables)
            environment[name] = value;
        return new AzurePipelinesHost(environment, _log);
    }

    private IReadOnlyList<AgentCommand> Commands => AgentCommand.In(_log.ToString());

    private string[] Lines => _log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Theory]
    [InlineData("True")]
    [InlineData("true")]
    [InlineData("1")]
    public void It_is_chosen_when_TF_BUILD_is_set(string value)
    {
        var host = CiHosts.Detect([AzurePipelinesHost.Detect], new Dictionary<string, string> { ["TF_BUILD"] = value }, _log);

        host.ShouldBeOfType<AzurePipelinesHost>().Name.ShouldBe("azure-pipelines");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void It_is_not_chosen_without_TF_BUILD(string? value)
    {
        var environment = new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true" };
        if (value is not null)
            environment["TF_BUILD"] = value;

        CiHosts.Detect([AzurePipelinesHost.Detect], environment, _log).ShouldBeOfType<PlainHost>();
    }

    [Fact]
    public void A_diagnostic_becomes_an_error_issue_on_its_file_in_the_repository_with_line_column_and_code()
    {
        var csv = _folder.PathOf("s/data/train.csv");

        Host().Report(Diagnostic.Error(DiagnosticCodes.UnparsableNumber, "Tenure 'abc' is not a number.", new SourceLocation(csv, 14, 2), "Fix the value."));

        Lines.ShouldBe(["##vso[task.logissue type=error;sourcepath=data/train.csv;linenumber=14;columnnumber=2;code=MLOPS1005]Tenure 'abc' is not a number. Fix the value."]);
    }

    [Fact]
    public void A_file_outside_the_sources_directory_keeps_its_full_path_and_a_file_without_line_has_no_line()
    {
        var outside = _folder.PathOf("elsewhere/model.mlproj");

        Host().Report(Diagnostic.Error(DiagnosticCodes.GateFailed, "Quality gate failed.", new SourceLocation(outside)));

        var issue = Commands.ShouldHaveSingleItem();
        issue.Properties.ShouldBe(new Dictionary<string, string> { ["type"] = "error", ["sourcepath"] = outside, ["code"] = "MLOPS3002" });
    }

    [Fact]
    public void A_warning_without_location_is_a_warning_issue_without_sourcepath()
    {
        Host().Report(Diagnostic.Warning(DiagnosticCodes.IdentifierLikeColumn, "Column CustomerId looks like an identifier."));

        Lines.ShouldBe(["##vso[task.logissue type=warning;code=MLOPS1101]Column CustomerId looks like an identifier."]);
    }

    [Fact]
    public void Values_and_messages_are_escaped_so_the_agent_reads_back_exactly_what_was_meant()
    {
        var awkwardFile = _folder.PathOf("s/data/a;b]c%d.csv");
        var message = "100% wrong\r\nsecond line ##vso[task.complete result=Succeeded]";

        Host().Report(Diagnostic.Error(DiagnosticCodes.RaggedRow, message, new SourceLocation(awkwardFile, 3, 1)));

        Lines.ShouldHaveSingleItem("a line break in the message must not start a second command")
            .ShouldBe("##vso[task.logissue type=error;sourcepath=data/a%3Bb%5Dc%AZP25d.csv;linenumber=3;columnnumber=1;code=MLOPS1004]"
                + "100%AZP25 wrong%0D%0Asecond line ##vso[task.complete result=Succeeded]");
        var issue = Commands.ShouldHaveSingleItem();
        issue["sourcepath"].ShouldBe("data/a;b]c%d.csv");
        issue.Message.ShouldBe(message);
    }

    [Theory]
    [InlineData(StepOutputs.ModelVersion, "modelVersion")]
    [InlineData(StepOutputs.Fingerprint, "fingerprint")]
    [InlineData(StepOutputs.PackagePath, "packagePath")]
    [InlineData(StepOutputs.MetricsJson, "metricsJson")]
    [InlineData(StepOutputs.GatePassed, "gatePassed")]
    [InlineData(StepOutputs.Image, "image")]
    [InlineData(StepOutputs.DeploymentId, "deploymentId")]
    [InlineData(StepOutputs.DeploymentUrl, "deploymentUrl")]
    [InlineData(StepOutputs.ReportPath, "reportPath")]
    public void A_step_output_becomes_an_output_variable_with_the_camelCase_name_the_task_declares(string output, string variable)
    {
        Host().SetOutput(output, "value");

        Lines.ShouldBe([$"##vso[task.setvariable variable={variable};isOutput=true]value"]);
    }

    [Fact]
    public void Every_step_output_has_a_declared_variable_name()
    {
        var outputs = typeof(StepOutputs).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

        outputs.ShouldNotBeEmpty();
        outputs.Where(o => !OutputVariableNames.Known.ContainsKey(o)).ShouldBeEmpty("a new step output needs its name in the task's outputVariables too");
        OutputVariableNames.Of("future-output-name").ShouldBe("futureOutputName");
    }

    [Fact]
    public void A_multi_line_output_value_arrives_whole()
    {
        const string metrics = "{\n  \"AUC\": 0.91;\n  \"F1]\": 0.8\n}";

        Host().SetOutput(StepOutputs.MetricsJson, metrics);

        var variable = Commands.ShouldHaveSingleItem();
        variable.Command.ShouldBe("task.setvariable");
        variable["variable"].ShouldBe("metricsJson");
        variable["isOutput"].ShouldBe("true");
        variable.Message.ShouldBe(metrics);
    }

    [Fact]
    public void A_secret_is_masked_whole_and_line_by_line()
    {
        Host().MaskSecret("line-one\nline-two");

        Commands.Select(c => (c.Command, c.Message)).ShouldBe([("task.setsecret", "line-one\nline-two"), ("task.setsecret", "line-one"), ("task.setsecret", "line-two")]);
        Host().MaskSecret("");
        Commands.Count.ShouldBe(3, "an empty secret masks nothing and would mask every empty string");
    }

    [Fact]
    public void The_summary_is_written_to_a_file_in_the_agent_temp_folder_and_uploaded()
    {
        const string markdown = "## churn 2.1.0\n\n| metric | value |\n|---|---|\n| AUC | 0.91 |\n";

        Host().AppendSummary(markdown);

        var upload = Commands.ShouldHaveSingleItem();
        upload.Command.ShouldBe("task.uploadsummary");
        upload.Message.ShouldStartWith(_folder.PathOf("_temp") + Path.DirectorySeparatorChar);
        upload.Message.ShouldEndWith(".md");
        File.ReadAllText(upload.Message).ShouldBe(markdown);
    }

    [Fact]
    public void Two_summaries_are_two_sections()
    {
        var host = Host();

        host.AppendSummary("first");
        host.AppendSummary("second");

        Commands.Select(c => File.ReadAllText(c.Message)).ShouldBe(["first", "second"]);
    }

    [Fact]
    public void A_summary_that_cannot_be_written_is_its_own_diagnostic()
    {
        var file = _folder.Write("not-a-folder", "x");

        var failure = Should.Throw<MlOpsException>(() => Host(("AGENT_TEMPDIRECTORY", file)).AppendSummary("report"));

        failure.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.AzurePipelinesSummaryNotWritten);
        failure.Diagnostics[0].Message.ShouldContain(file);
        Commands.ShouldBeEmpty();
    }

    [Fact]
    public void The_step_result_follows_success_and_failure()
    {
        var host = Host();

        host.Complete(true, "");
        host.Complete(false, "model.mlproj: error MLOPS3002: Quality gate failed: AUC 0.71 < 0.8.");

        Lines.ShouldBe([
            "##vso[task.complete result=Succeeded]",
            "##vso[task.complete result=Failed]model.mlproj: error MLOPS3002: Quality gate failed: AUC 0.71 < 0.8.",
        ]);
    }

    [Fact]
    public void Outside_a_pull_request_build_there_is_no_publisher_and_the_reason_says_so()
    {
        Host(("SYSTEM_ACCESSTOKEN", "token")).PullRequest(out var reason).ShouldBeNull();

        reason.ShouldContain("not a pull-request build");
        reason.ShouldContain("SYSTEM_PULLREQUEST_PULLREQUESTID");
    }

    [Fact]
    public void Without_the_access_token_there_is_no_publisher_and_the_reason_says_how_to_map_it()
    {
        var host = Host(PullRequestVariables().ToArray());

        host.PullRequest(out var reason).ShouldBeNull();

        reason.ShouldContain("SYSTEM_ACCESSTOKEN: $(System.AccessToken)");
        reason.ShouldContain("Allow scripts to access the OAuth token");
    }

    [Fact]
    public void A_GitHub_pull_request_built_in_Azure_Pipelines_is_not_reported_through_Azure_Repos()
    {
        var host = Host([.. PullRequestVariables(), ("SYSTEM_ACCESSTOKEN", "token"), ("BUILD_REPOSITORY_PROVIDER", "GitHub")]);

        host.PullRequest(out var reason).ShouldBeNull();

        reason.ShouldContain("GitHub");
    }

    [Fact]
    public void A_pull_request_build_with_a_token_gets_a_publisher()
    {
        var host = Host([.. PullRequestVariables(), ("SYSTEM_ACCESSTOKEN", "token"), ("BUILD_REPOSITORY_PROVIDER", "TfsGit")]);

        var publisher = host.PullRequest(out var reason);

        publisher.ShouldNotBeNull(reason);
        ((IDisposable)publisher).Dispose();
    }

    [Fact]
    public void The_pull_request_is_read_from_the_agent_variables_with_links_to_the_repository_and_the_build()
    {
        var environment = PullRequestVariables().Append(("SYSTEM_ACCESSTOKEN", "token")).ToDictionary(v => v.Item1, v => v.Item2);

        var pullRequest = Repos.AzureReposPullRequest.FromEnvironment(environment, out var reason).ShouldNotBeNull(reason);

        pullRequest.CollectionUri.ShouldBe(new Uri("https://dev.azure.com/fabrikam/"));
        pullRequest.Project.ShouldBe("6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c", "the id, since a project name may hold spaces");
        pullRequest.RepositoryId.ShouldBe("3411ebc1-d5aa-464f-9615-0b527bc66719");
        pullRequest.PullRequestId.ShouldBe(22);
        pullRequest.WebUrl.ShouldBe("https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_git/churn-model/pullrequest/22");
        pullRequest.BuildResultsUrl.ShouldBe("https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_build/results?buildId=4711");
        pullRequest.ToString().ShouldNotContain("token");
    }

    [Fact]
    public void A_pull_request_build_missing_the_collection_says_which_variables_are_missing()
    {
        var environment = PullRequestVariables().Where(v => v.Item1 != "SYSTEM_COLLECTIONURI").Append(("SYSTEM_ACCESSTOKEN", "token")).ToDictionary(v => v.Item1, v => v.Item2);

        Repos.AzureReposPullRequest.FromEnvironment(environment, out var reason).ShouldBeNull();

        reason.ShouldContain("SYSTEM_COLLECTIONURI");
    }

    internal static IEnumerable<(string, string)> PullRequestVariables() =>
    [
        ("SYSTEM_PULLREQUEST_PULLREQUESTID", "22"),
        ("SYSTEM_COLLECTIONURI", "https://dev.azure.com/fabrikam/"),
        ("SYSTEM_TEAMPROJECTID", "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c"),
        ("SYSTEM_TEAMPROJECT", "Fabrikam Fiber"),
        ("BUILD_REPOSITORY_ID", "3411ebc1-d5aa-464f-9615-0b527bc66719"),
        ("BUILD_REPOSITORY_NAME", "churn-model"),
        ("BUILD_BUILDID", "4711"),
    ];
}
