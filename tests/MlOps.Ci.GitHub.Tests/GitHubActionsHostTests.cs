using MlOps.Ci.Automation;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.GitHub.Actions;
using MlOps.Ci.Testing;

namespace MlOps.Ci.GitHub.Tests;

public sealed class GitHubActionsHostTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly StringWriter _log = new();

    public void Dispose() => _folder.Dispose();

    private Dictionary<string, string> Environment(params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_WORKSPACE"] = _folder.PathOf("work"),
            ["GITHUB_OUTPUT"] = _folder.PathOf("output.txt"),
            ["GITHUB_STEP_SUMMARY"] = _folder.PathOf("summary.md"),
            ["GITHUB_REPOSITORY"] = "octo-org/churn-model",
        };
        foreach (var (name, value) in extra)
            environment[name] = value;
        return environment;
    }

    /// <summary>Reads $GITHUB_OUTPUT the way the runner does (name=value lines and name&lt;&lt;DELIMITER blocks).</summary>
    private static Dictionary<string, string> ParseOutputFile(string path)
    {
        var outputs = new Dictionary<string, string>();
        var lines = File.ReadAllText(path).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
                continue;
            var heredoc = line.IndexOf("<<", StringComparison.Ordinal);
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (heredoc > 0 && (equals < 0 || heredoc < equals))
            {
                var delimiter = line[(heredoc + 2)..];
                var value = new List<string>();
                while (lines[++i] != delimiter)
                    value.Add(lines[i]);
                outputs[line[..heredoc]] = string.Join("\n", value);
            }
            else
            {
                outputs[line[..equals]] = line[(equals + 1)..];
            }
        }
        return outputs;
    }

    [Fact]
    public void The_host_is_chosen_only_when_GITHUB_ACTIONS_is_true()
    {
        GitHubActionsHost.Detect(Environment(), _log).ShouldBeOfType<GitHubActionsHost>().Name.ShouldBe("github-actions");
        GitHubActionsHost.Detect(Environment(("GITHUB_ACTIONS", "false")), _log).ShouldBeNull();
        GitHubActionsHost.Detect(new Dictionary<string, string>(), _log).ShouldBeNull();
    }

    [Fact]
    public void Diagnostics_become_annotations_on_the_workspace_relative_file_with_escaped_text()
    {
        var host = new GitHubActionsHost(Environment(), _log);
        var file = Path.Combine(_folder.PathOf("work"), "data", "train, v2.csv");

        host.Report(Diagnostic.Error(DiagnosticCodes.UnparsableNumber, "'1,5%' is not a number\nin column age", new SourceLocation(file, 12, 3), "Use '.'."));
        host.Report(Diagnostic.Warning(DiagnosticCodes.IdentifierLikeColumn, "column id: distinct in every row", new SourceLocation("/elsewhere/x.csv")));
        host.Report(Diagnostic.Error(DiagnosticCodes.GitHubTokenMissing, "No token."));

        _log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(
        [
            "::error file=data/train%2C v2.csv,line=12,col=3,title=MLOPS1005::'1,5%25' is not a number%0Ain column age Use '.'.",
            "::warning file=/elsewhere/x.csv,title=MLOPS1101::column id: distinct in every row",
            "::error title=MLOPS8001::No token.",
        ]);
    }

    [Fact]
    public void Escaping_follows_the_runner_for_data_and_properties()
    {
        WorkflowCommands.EscapeData("50%\r\nnext: a,b").ShouldBe("50%25%0D%0Anext: a,b");
        WorkflowCommands.EscapeProperty("50%\r\nnext: a,b").ShouldBe("50%25%0D%0Anext%3A a%2Cb");
    }

    [Fact]
    public void Outputs_are_appended_to_the_GITHUB_OUTPUT_file_and_read_back_as_the_runner_reads_them()
    {
        var environment = Environment();
        File.WriteAllText(environment["GITHUB_OUTPUT"], "earlier=kept\n");
        var host = new GitHubActionsHost(environment, _log);
        var metrics = "{\n  \"auc\": 0.91\n}";

        host.SetOutput(StepOutputs.ModelVersion, "1.4.0");
        host.SetOutput(StepOutputs.MetricsJson, metrics);
        host.SetOutput(StepOutputs.Image, "ghcr.io/octo-org/churn:1.4.0=latest");

        var text = File.ReadAllText(environment["GITHUB_OUTPUT"]);
        text.ShouldContain("metrics-json<<ghadelimiter_");
        ParseOutputFile(environment["GITHUB_OUTPUT"]).ShouldBe(new Dictionary<string, string>
        {
            ["earlier"] = "kept",
            ["model-version"] = "1.4.0",
            ["metrics-json"] = metrics,
            ["image"] = "ghcr.io/octo-org/churn:1.4.0=latest",
        }, ignoreOrder: true);
        _log.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void Two_multi_line_outputs_get_different_delimiters()
    {
        var first = WorkflowCommands.OutputEntry("a", "x\ny");
        var second = WorkflowCommands.OutputEntry("a", "x\ny");

        first.Split('\n')[0].ShouldNotBe(second.Split('\n')[0]);
        Should.Throw<ArgumentException>(() => WorkflowCommands.OutputEntry("a=b", "x"));
    }

    [Fact]
    public void The_token_is_masked_as_soon_as_the_host_reads_it_and_each_line_of_a_secret_is_masked()
    {
        var host = new GitHubActionsHost(Environment(("GITHUB_TOKEN", "ghs_secret%value")), _log);
        host.MaskSecret("line-one\nline-two");

        _log.ToString().ShouldBe("::add-mask::ghs_secret%25value\n::add-mask::line-one\n::add-mask::line-two\n");
    }

    [Fact]
    public void Markdown_is_appended_to_the_step_summary_and_Complete_prints_nothing()
    {
        var environment = Environment();
        var host = new GitHubActionsHost(environment, _log);

        host.AppendSummary("## Report\n| a | b |");
        host.AppendSummary("second part\n");
        host.Complete(false, "failed");

        File.ReadAllText(environment["GITHUB_STEP_SUMMARY"]).ShouldBe("## Report\n| a | b |\nsecond part\n");
        _log.ToString().ShouldBeEmpty();
    }

    [Fact]
    public void A_summary_larger_than_GitHub_accepts_is_cut_with_a_note()
    {
        var environment = Environment();
        new GitHubActionsHost(environment, _log).AppendSummary(new string('x', 2_000_000));

        var written = new FileInfo(environment["GITHUB_STEP_SUMMARY"]).Length;
        written.ShouldBeLessThanOrEqualTo(GitHubActionsHost.MaxSummaryBytes);
        File.ReadAllText(environment["GITHUB_STEP_SUMMARY"]).ShouldEndWith("pull-request comment)_\n");
    }

    [Fact]
    public void Without_a_pull_request_event_or_a_token_there_is_no_publisher_and_the_reason_says_why()
    {
        var push = _folder.Write("push.json", """{"ref":"refs/heads/main","after":"abc"}""");
        var pullRequest = _folder.Write("pr.json", """{"pull_request":{"number":7,"head":{"sha":"abc"}}}""");

        new GitHubActionsHost(Environment(("GITHUB_EVENT_NAME", "push"), ("GITHUB_EVENT_PATH", push), ("GITHUB_TOKEN", "t")), _log)
            .PullRequest(out var notPullRequest).ShouldBeNull();
        notPullRequest.ShouldContain("not for a pull request (event 'push')");

        new GitHubActionsHost(Environment(("GITHUB_EVENT_PATH", pullRequest)), _log).PullRequest(out var noToken).ShouldBeNull();
        noToken.ShouldContain("github-token");

        new GitHubActionsHost(Environment(("GITHUB_EVENT_PATH", pullRequest), ("GITHUB_TOKEN", "t")), _log).PullRequest(out _)
            .ShouldBeOfType<MlOps.Ci.GitHub.PullRequests.GitHubPullRequestPublisher>();
    }
}
