using MlOps.Ci.Cli.Progress;

namespace MlOps.Ci.Cli.Tests;

/// <summary>When the CLI draws live progress bars and when it writes plain lines instead.</summary>
public sealed class ProgressPolicySpecs
{
    private static Func<string, string?> Environment(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void A_person_at_a_terminal_outside_CI_gets_live_bars() =>
        ProgressPolicy.Choose(json: false, outputRedirected: false, Environment(("TERM", "xterm-256color"))).ShouldBe(ProgressStyle.Live);

    [Theory]
    [InlineData("CI", "true")]
    [InlineData("CI", "1")]
    [InlineData("GITHUB_ACTIONS", "true")]
    [InlineData("TF_BUILD", "True")]
    public void A_CI_runner_gets_plain_lines_even_with_a_terminal(string variable, string value) =>
        ProgressPolicy.Choose(json: false, outputRedirected: false, Environment((variable, value))).ShouldBe(ProgressStyle.Plain);

    [Theory]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("")]
    public void CI_set_to_false_or_empty_is_not_CI(string value) =>
        ProgressPolicy.Choose(json: false, outputRedirected: false, Environment(("CI", value))).ShouldBe(ProgressStyle.Live);

    [Fact]
    public void Json_output_gets_plain_lines_so_stdout_stays_one_document() =>
        ProgressPolicy.Choose(json: true, outputRedirected: false, Environment()).ShouldBe(ProgressStyle.Plain);

    [Fact]
    public void Output_into_a_file_or_pipe_gets_plain_lines() =>
        ProgressPolicy.Choose(json: false, outputRedirected: true, Environment()).ShouldBe(ProgressStyle.Plain);

    [Fact]
    public void A_dumb_terminal_gets_plain_lines() =>
        ProgressPolicy.Choose(json: false, outputRedirected: false, Environment(("TERM", "dumb"))).ShouldBe(ProgressStyle.Plain);
}
