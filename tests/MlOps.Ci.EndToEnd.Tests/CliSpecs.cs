using System.Text.Json;
using Shouldly;

namespace MlOps.Ci.EndToEnd.Tests;

/// <summary>The mlops tool as installed from the packed package, over the sample built through the packed SDK.</summary>
[Collection(SdkCollection.Name)]
public sealed class CliSpecs(BuiltSample sample) : IDisposable
{
    private readonly InstalledTool _tool = new(sample.Sdk);
    private readonly string _work = Directory.CreateTempSubdirectory("mlops-e2e-cli-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public void Score_appends_the_models_predictions_to_every_row()
    {
        var output = Path.Combine(_work, "scored.csv");

        var result = _tool.Run(_work, "score", "--package", sample.Project.PackagePath(), "--input", Path.Combine(sample.Project.Folder, "data/test.csv"),
            "--output", output, "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        var lines = File.ReadAllLines(output);
        lines.Length.ShouldBe(1001);
        lines[0].ShouldEndWith(",Churned,PredictedLabel,Probability,Score");
        var probabilities = lines.Skip(1).Select(l => double.Parse(l.Split(',')[^2], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        probabilities.ShouldAllBe(p => p >= 0 && p <= 1);
        probabilities.Distinct().Count().ShouldBeGreaterThan(100);
        JsonDocument.Parse(result.Output[result.Output.IndexOf('{')..]).RootElement.GetProperty("rows").GetInt64().ShouldBe(1000);
    }

    [Fact]
    public void Score_rejects_a_row_that_breaks_the_models_schema_and_writes_nothing()
    {
        var input = Path.Combine(_work, "bad.csv");
        var rows = File.ReadAllLines(Path.Combine(sample.Project.Folder, "data/test.csv")).Take(5).ToArray();
        rows[3] = rows[3].Replace(rows[3].Split(',')[1], "many");
        File.WriteAllLines(input, rows);
        var output = Path.Combine(_work, "out.csv");

        var result = _tool.Run(_work, "score", "-p", sample.Project.PackagePath(), "-i", input, "-o", output);

        result.ExitCode.ShouldBe(1);
        result.Output.ShouldContain("bad.csv(4,2): error MLOPS1005: 'many' in column 'Tenure' is not a number.");
        File.Exists(output).ShouldBeFalse();
    }

    [Fact]
    public void Push_and_pull_through_a_folder_registry_return_the_same_bytes()
    {
        var registry = Path.Combine(_work, "registry");
        var pulled = Path.Combine(_work, "pulled.mlpkg");

        var push = _tool.Run(_work, "push", sample.Project.PackagePath(), "--registry", registry, "--json");
        var pull = _tool.Run(_work, "pull", "churn:1.0.0", "--registry", registry, "--output", pulled);
        var missing = _tool.Run(_work, "pull", "churn:9.9.9", "--registry", registry, "--output", Path.Combine(_work, "none.mlpkg"));

        push.ExitCode.ShouldBe(0, push.ToString());
        JsonDocument.Parse(push.Output[push.Output.IndexOf('{')..]).RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString())
            .ShouldBe(["1.0.0", "xxh128-" + Fingerprint()[7..], "latest"]);
        pull.ExitCode.ShouldBe(0, pull.ToString());
        File.ReadAllBytes(pulled).ShouldBe(File.ReadAllBytes(sample.Project.PackagePath()));
        missing.ExitCode.ShouldBe(1);
        missing.Output.ShouldContain("error MLOPS6109");
    }

    [Fact]
    public void Inspect_prints_the_model_card_and_a_usage_error_exits_with_2()
    {
        var inspect = _tool.Run(_work, "inspect", sample.Project.PackagePath());
        var usage = _tool.Run(_work, "score", "--package");

        inspect.ExitCode.ShouldBe(0, inspect.ToString());
        JsonDocument.Parse(inspect.Output).RootElement.GetProperty("fingerprints").GetProperty("model").GetString().ShouldBe(Fingerprint());
        usage.ExitCode.ShouldBe(2);
    }

    [Fact]
    public void Build_under_GitHub_Actions_publishes_the_packages_step_outputs()
    {
        var outputs = Path.Combine(_work, "github-output");
        File.WriteAllText(outputs, "");

        var result = _tool.RunWith(sample.Project.Folder, GitHubRunner(sample.Project.Folder, outputs), "build", sample.Project.ProjectFile);

        result.ExitCode.ShouldBe(0, result.ToString());
        var published = File.ReadAllLines(outputs);
        published.ShouldContain("model-version=1.0.0");
        published.ShouldContain($"fingerprint={Fingerprint()}");
        published.ShouldContain($"package-path={sample.Project.PackagePath()}");
        published.ShouldContain("gate-passed=true");
        published.ShouldContain(l => l.StartsWith("metrics-json={\"AUC\":", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_under_GitHub_Actions_annotates_each_MLOPS_error_once_on_its_file_line_and_column()
    {
        using var project = sample.Sdk.CopySample("churn");
        project.SetCell("data/train.csv", line: 101, column: 2, value: "twelve");
        var outputs = Path.Combine(_work, "failed-output");
        File.WriteAllText(outputs, "");

        var result = _tool.RunWith(project.Folder, GitHubRunner(project.Folder, outputs), "build", project.ProjectFile);

        result.ExitCode.ShouldBe(1, result.ToString());
        var annotations = result.Output.Split('\n').Where(l => l.StartsWith("::error", StringComparison.Ordinal)).ToList();
        annotations.ShouldContain(l => l.StartsWith("::error file=data/train.csv,line=101,col=2,title=MLOPS1005::'twelve' in column 'Tenure' is not a number.",
            StringComparison.Ordinal));
        annotations.Count(l => l.Contains("title=MLOPS1005", StringComparison.Ordinal)).ShouldBe(1, "MSBuild repeats errors in its summary; the engine under MSBuild stays quiet");
        File.ReadAllText(outputs).ShouldNotContain("gate-passed");
    }

    private static Dictionary<string, string?> GitHubRunner(string workspace, string outputs) => new()
    {
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_WORKSPACE"] = workspace,
        ["GITHUB_OUTPUT"] = outputs,
        ["GITHUB_STEP_SUMMARY"] = null,
        ["TF_BUILD"] = null,
    };

    private string Fingerprint() => new PackageContents(sample.Project.PackagePath()).Card.GetProperty("fingerprints").GetProperty("model").GetString()!;
}

/// <summary>Push and pull through a real OCI registry on loopback.</summary>
public sealed class CliRegistrySpecs(VersioningFixture fixture) : IClassFixture<VersioningFixture>
{
    [RegistryFact]
    public void Push_and_pull_through_an_oci_registry_return_the_same_bytes()
    {
        using var project = fixture.Sdk.CopySample("churn");
        project.Build().ExitCode.ShouldBe(0);
        var tool = new InstalledTool(fixture.Sdk);
        var pulled = Path.Combine(project.Folder, "pulled.mlpkg");
        var registry = fixture.Registry.Reference("team/models");

        var push = tool.Run(project.Folder, "push", project.PackagePath(), "--registry", registry);
        var pull = tool.Run(project.Folder, "pull", "churn:latest", "--registry", registry, "-o", pulled);

        push.ExitCode.ShouldBe(0, push.ToString());
        pull.ExitCode.ShouldBe(0, pull.ToString());
        File.ReadAllBytes(pulled).ShouldBe(File.ReadAllBytes(project.PackagePath()));
    }
}
