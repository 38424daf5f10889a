using System.Text.Json;
using Shouldly;

namespace MlOps.Ci.EndToEnd.Tests;

[Collection(SdkCollection.Name)]
public sealed class SdkBuildSpecs(BuiltSample sample)
{
    [Fact]
    public void I_can_build_the_sample_through_the_packed_sdk_and_get_a_package_with_real_metrics()
    {
        sample.FirstBuild.ExitCode.ShouldBe(0, sample.FirstBuild.ToString());
        var package = new PackageContents(sample.Project.PackagePath());

        package.Entries.ShouldBe(["model.onnx", "model-card.json", "data-profile.json"], ignoreOrder: true);
        package.Onnx.Length.ShouldBeGreaterThan(1000);
        var card = package.Card;
        card.GetProperty("name").GetString().ShouldBe("churn");
        card.GetProperty("metrics").GetProperty("AUC").GetDouble().ShouldBeGreaterThan(0.75);
        card.GetProperty("gates").EnumerateArray().ShouldAllBe(g => g.GetProperty("passed").GetBoolean());
        var data = card.GetProperty("fingerprints").GetProperty("data").EnumerateArray().ToList();
        data.Select(d => d.GetProperty("path").GetString()).ShouldBe(["data/train.csv", "data/test.csv"]);
        data.ShouldAllBe(d => d.GetProperty("fingerprint").GetString()!.StartsWith("xxh128:") && d.GetProperty("fingerprint").GetString()!.Length == 39);
        card.GetProperty("fingerprints").GetProperty("model").GetString()!.ShouldStartWith("xxh128:");
        card.GetProperty("environment").GetProperty("onnxRuntimeVersion").GetString().ShouldNotBeNullOrEmpty();
        package.Profile.GetProperty("rows").GetInt64().ShouldBe(4000);
    }

    [Fact]
    public void The_projects_regression_bounds_and_drift_thresholds_travel_in_the_model_card()
    {
        var card = new PackageContents(sample.Project.PackagePath()).Card;

        var auc = card.GetProperty("gates").EnumerateArray().Single(g => g.GetProperty("metric").GetString() == "AUC");
        auc.GetProperty("maxDecrease").GetDouble().ShouldBe(0.01);
        var thresholds = card.GetProperty("driftThresholds").EnumerateArray()
            .ToDictionary(t => t.GetProperty("column").GetString()!, t => t.GetProperty("psi").GetDouble());
        thresholds.ShouldBe(new Dictionary<string, double> { ["*"] = 0.2, ["Tenure"] = 0.1 });
    }

    [Fact]
    public void The_packaged_onnx_model_takes_the_raw_feature_columns_and_featurizes_them_as_the_project_declares()
    {
        var card = new PackageContents(sample.Project.PackagePath()).Card;
        var inputs = card.GetProperty("signature").GetProperty("inputs").EnumerateArray()
            .ToDictionary(i => i.GetProperty("name").GetString()!, i => i.GetProperty("elementType").GetString());
        var featurization = card.GetProperty("featurization").EnumerateArray().ToDictionary(f => f.GetProperty("column").GetString()!,
            f => string.Join(";", f.GetProperty("transforms").EnumerateArray().Select(t => t.GetString())) + (f.TryGetProperty("replacement", out var r) ? $"({r.GetString()})" : ""));

        inputs["Contract"].ShouldBe("string");
        inputs["Region"].ShouldBe("string");
        inputs["Tenure"].ShouldBe("float");
        inputs["TotalCharges"].ShouldBe("float");
        inputs.ShouldNotContainKey("CustomerId");
        inputs.ShouldNotContainKey("Churned");
        // samples/churn declares one-hot for its categories and zero for a missing TotalCharges; the rest are defaults.
        featurization["Contract"].ShouldStartWith("oneHot");
        featurization["Region"].ShouldStartWith("oneHot");
        featurization["TotalCharges"].ShouldBe("replaceMissing(zero)");
        featurization["Tenure"].ShouldBe("replaceMissing(mean)");
    }

    [Fact]
    public void A_second_build_with_nothing_changed_does_no_work()
    {
        var modelWritten = File.GetLastWriteTimeUtc(sample.Project.ModelPath);
        var packageWritten = File.GetLastWriteTimeUtc(sample.Project.PackagePath());

        var trainAgain = sample.Project.Build("-t:TrainModel", "-v:n");
        var buildAgain = sample.Project.Build("-v:n");

        trainAgain.ExitCode.ShouldBe(0, trainAgain.ToString());
        trainAgain.Output.ShouldContain("Skipping target \"_MlOpsPlanTrain\" because all output files are up-to-date");
        buildAgain.ExitCode.ShouldBe(0, buildAgain.ToString());
        buildAgain.Output.ShouldContain("Skipping target \"_MlOpsPlanPackage\" because all output files are up-to-date");
        // The engine did not even start: it announces every step it runs.
        foreach (var result in new[] { trainAgain, buildAgain })
        {
            result.Output.ShouldNotContain("Validated ");
            result.Output.ShouldNotContain("Trained ");
            result.Output.ShouldNotContain("Restored ");
        }
        File.GetLastWriteTimeUtc(sample.Project.ModelPath).ShouldBe(modelWritten);
        File.GetLastWriteTimeUtc(sample.Project.PackagePath()).ShouldBe(packageWritten);
    }
}

public sealed class SdkFailureSpecs : IClassFixture<PackedSdkFixture>, IDisposable
{
    private readonly ModelProject _project;

    public SdkFailureSpecs(PackedSdkFixture fixture) => _project = fixture.Sdk.CopySample("churn");

    public void Dispose() => _project.Dispose();

    [Fact]
    public void A_gate_that_cannot_pass_fails_the_build_with_the_gate_message_and_no_package()
    {
        _project.EditProject("<QualityGate Include=\"AUC\" Minimum=\"0.80\"", "<QualityGate Include=\"AUC\" Minimum=\"0.999\"");

        var result = _project.Build();

        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("error MLOPS3002: Quality gate failed: AUC = 0.");
        result.Output.ShouldContain("is below the minimum 0.999");
        result.Output.ShouldContain("churn.mlproj");
        File.Exists(_project.PackagePath()).ShouldBeFalse();
    }

    [Fact]
    public void A_corrupted_csv_fails_ValidateData_naming_file_line_and_column()
    {
        _project.SetCell("data/train.csv", line: 101, column: 2, value: "twelve");

        var result = _project.Build("-t:ValidateData");

        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("train.csv(101,2): error MLOPS1005: 'twelve' in column 'Tenure' is not a number.");
    }

    [Fact]
    public void A_failed_build_leaves_the_earlier_package_untouched()
    {
        _project.Build().ExitCode.ShouldBe(0);
        var before = File.ReadAllBytes(_project.PackagePath());

        _project.SetCell("data/train.csv", line: 7, column: 3, value: "\"12,5\"x");
        var result = _project.Build();

        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("train.csv(7,");
        File.ReadAllBytes(_project.PackagePath()).ShouldBe(before);
        Directory.GetFiles(Path.GetDirectoryName(_project.PackagePath())!, "*.tmp").ShouldBeEmpty();
    }

    [Fact]
    public void Changing_a_hyperparameter_retrains_but_changing_only_a_gate_bound_reuses_the_model()
    {
        _project.Build().ExitCode.ShouldBe(0);
        var first = File.ReadAllBytes(_project.ModelPath);

        _project.EditProject("Include=\"NumberOfTrees\" Value=\"200\"", "Include=\"NumberOfTrees\" Value=\"50\"");
        var retrained = _project.Build();
        var second = File.ReadAllBytes(_project.ModelPath);
        _project.EditProject("Minimum=\"0.80\"", "Minimum=\"0.78\"");
        var regated = _project.Build();

        retrained.ExitCode.ShouldBe(0, retrained.ToString());
        retrained.Output.ShouldContain("Trained FastTree");
        second.ShouldNotBe(first);
        regated.ExitCode.ShouldBe(0, regated.ToString());
        regated.Output.ShouldNotContain("Trained FastTree");
        regated.Output.ShouldContain("Restored model");
        File.ReadAllBytes(_project.ModelPath).ShouldBe(second);
    }

    [Fact]
    public void A_feature_on_a_misspelt_column_fails_ValidateData_at_the_items_line_with_the_columns_there_are()
    {
        var project = File.ReadAllText(_project.ProjectFile);
        File.WriteAllText(_project.ProjectFile, project.Replace("<Feature Include=\"TotalCharges\"", "<Feature Include=\"TotalCharge\"", StringComparison.Ordinal));
        var line = File.ReadAllLines(_project.ProjectFile).ToList().FindIndex(l => l.Contains("\"TotalCharge\"", StringComparison.Ordinal)) + 1;

        var result = _project.Build();

        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain($"churn.mlproj({line},5): error MLOPS2101: Feature 'TotalCharge' names a column that is not in 'train.csv'.");
        result.Output.ShouldContain("TotalCharges");
        File.Exists(_project.PackagePath()).ShouldBeFalse();
    }

    [Fact]
    public void An_unknown_trainer_fails_before_reading_any_data_with_the_choices()
    {
        var result = _project.Build("-p:Trainer=GradientMagic");

        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldContain("error MLOPS2001: Trainer 'GradientMagic' is not available for BinaryClassification.");
        result.Output.ShouldContain("LightGbm");
    }
}

public sealed class PackedSdkFixture : IDisposable
{
    public PackedSdk Sdk { get; } = new();

    public void Dispose() => Sdk.Dispose();
}

public sealed class DeterminismSpecs : IClassFixture<PackedSdkFixture>
{
    private readonly PackedSdk _sdk;

    public DeterminismSpecs(PackedSdkFixture fixture) => _sdk = fixture.Sdk;

    [Fact]
    public void Two_clean_builds_of_the_same_inputs_produce_byte_identical_onnx_models()
    {
        using var first = _sdk.CopySample("churn");
        using var second = _sdk.CopySample("churn");

        first.Build().ExitCode.ShouldBe(0);
        second.Build().ExitCode.ShouldBe(0);

        File.ReadAllBytes(second.ModelPath).ShouldBe(File.ReadAllBytes(first.ModelPath));
        var firstCard = new PackageContents(first.PackagePath()).Card;
        var secondCard = new PackageContents(second.PackagePath()).Card;
        Fingerprint(secondCard).ShouldBe(Fingerprint(firstCard));
    }

    private static string Fingerprint(JsonElement card) => card.GetProperty("fingerprints").GetProperty("model").GetString()!;
}
