using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Training.External;

namespace MlOps.Ci.Core.Tests.External;

public sealed class TrainerCommandLineSpecs
{
    private static readonly SourceLocation Project = new("model.mlproj");

    private static IReadOnlyList<string> Expand(string command, string onnxPath = "/tmp/out dir/model.onnx") =>
        TrainerCommandLine.Parse(command, Project).Expand(TrainerCommandLine.Placeholders.ToDictionary(p => p, p => p == "OnnxPath" ? onnxPath : $"<{p}>"), Project);

    [Fact]
    public void Whitespace_separates_arguments_and_quotes_group_them_without_a_shell()
    {
        Expand("python3  -u 'my script.py' \"--name=a b\" {OnnxPath}").ShouldBe(["python3", "-u", "my script.py", "--name=a b", "/tmp/out dir/model.onnx"]);
    }

    [Fact]
    public void A_placeholder_value_with_spaces_stays_one_argument_and_can_be_part_of_one()
    {
        Expand("train --out={OnnxPath} --label {LabelColumn}").ShouldBe(["train", "--out=/tmp/out dir/model.onnx", "--label", "<LabelColumn>"]);
    }

    [Fact]
    public void Double_braces_and_braces_around_anything_but_a_name_are_literal()
    {
        Expand("sh -c 'echo {{OnnxPath}} {\"a\": 1}' {OnnxPath}").ShouldBe(["sh", "-c", "echo {OnnxPath} {\"a\": 1}", "/tmp/out dir/model.onnx"]);
    }

    [Fact]
    public void Inside_double_quotes_a_backslash_escapes_only_a_quote_or_a_backslash()
    {
        Expand(@"tool ""say \""hi\"" \\ C:\temp"" {OnnxPath}").ShouldBe(["tool", @"say ""hi"" \ C:\temp", "/tmp/out dir/model.onnx"]);
    }

    [Fact]
    public void Placeholder_names_are_matched_without_regard_to_case()
    {
        Expand("train {onnxpath}").ShouldBe(["train", "/tmp/out dir/model.onnx"]);
    }

    [Fact]
    public void An_empty_quoted_argument_is_kept()
    {
        Expand("train '' {OnnxPath}").ShouldBe(["train", "", "/tmp/out dir/model.onnx"]);
    }

    [Fact]
    public void A_quote_that_is_never_closed_is_an_error()
    {
        Failures.SingleOf(() => TrainerCommandLine.Parse("train \"{OnnxPath}", Project)).Code.ShouldBe(DiagnosticCodes.TrainerCommandInvalid);
    }
}
