extern alias sdk;
using System.Collections;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MlOps.Ci.Pipeline;
using Shouldly;
using WritePipelineDefinition = sdk::MlOps.Ci.Sdk.Tasks.WritePipelineDefinition;

namespace MlOps.Ci.Sdk.Tests;

public sealed class WritePipelineDefinitionSpecs : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlops-sdk-tests-").FullName;
    private readonly RecordingBuildEngine _engine = new();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string DefinitionFile => Path.Combine(_folder, "obj", "mlops", "pipeline.json");

    private WritePipelineDefinition NewTask() => new()
    {
        BuildEngine = _engine,
        ModelName = "churn",
        ModelVersion = "2.1.0",
        ModelTask = "MulticlassClassification",
        LabelColumn = "Plan",
        Trainer = "LightGbm",
        Seed = "7",
        TrainingData = [new TaskItem(Path.Combine(_folder, "data", "train.csv"))],
        EvaluationData = [new TaskItem(Path.Combine(_folder, "data", "test.csv"))],
        Hyperparameters = [Item("NumberOfLeaves", ("Value", "31")), Item("LearningRate", ("Value", "0.1"))],
        QualityGates = [Item("MicroAccuracy", ("Minimum", "0.7")), Item("LogLoss", ("Maximum", "1.5"))],
        IgnoreColumns = [new TaskItem("CustomerId")],
        CategoricalColumns = [new TaskItem("ZipCode")],
        ProjectFile = Path.Combine(_folder, "churn.mlproj"),
        IntermediateDirectory = Path.Combine(_folder, "obj", "mlops"),
        PackagePath = Path.Combine(_folder, "bin", "churn.2.1.0.mlpkg"),
        DefinitionFile = DefinitionFile,
    };

    [Fact]
    public void The_definition_it_writes_is_the_one_the_engine_reads()
    {
        NewTask().Execute().ShouldBeTrue(_engine.ToString());

        var definition = PipelineRunner.LoadDefinition(DefinitionFile);

        definition.ModelName.ShouldBe("churn");
        definition.ModelVersion.ShouldBe("2.1.0");
        definition.ModelTask.ShouldBe(ModelTask.MulticlassClassification);
        definition.Trainer.ShouldBe("LightGbm");
        definition.Seed.ShouldBe(7);
        definition.TrainingData.ShouldBe([Path.Combine(_folder, "data", "train.csv")]);
        definition.Hyperparameters["NumberOfLeaves"].ShouldBe("31");
        definition.QualityGates.ShouldBe([new QualityGate("MicroAccuracy", 0.7, null), new QualityGate("LogLoss", null, 1.5)]);
        definition.IgnoreColumns.ShouldBe(["CustomerId"]);
        definition.CategoricalColumns.ShouldBe(["ZipCode"]);
        definition.PackagePath.ShouldBe(Path.Combine(_folder, "bin", "churn.2.1.0.mlpkg"));
    }

    [Fact]
    public void An_unchanged_definition_is_not_rewritten_so_steps_stay_up_to_date()
    {
        NewTask().Execute().ShouldBeTrue();
        var written = DateTime.UtcNow.AddHours(-1);
        File.SetLastWriteTimeUtc(DefinitionFile, written);

        NewTask().Execute().ShouldBeTrue();
        File.GetLastWriteTimeUtc(DefinitionFile).ShouldBe(written);

        var changed = NewTask();
        changed.Seed = "8";
        changed.Execute().ShouldBeTrue();
        File.GetLastWriteTimeUtc(DefinitionFile).ShouldBeGreaterThan(written);
    }

    [Theory]
    [InlineData("ModelTask", "Clustering", "MLOPS5002")]
    [InlineData("Seed", "forty-two", "MLOPS5003")]
    public void A_bad_property_fails_with_its_code_on_the_project_file(string property, string value, string code)
    {
        var task = NewTask();
        typeof(WritePipelineDefinition).GetProperty(property)!.SetValue(task, value);

        task.Execute().ShouldBeFalse();

        _engine.Errors.ShouldHaveSingleItem().Code.ShouldBe(code);
        _engine.Errors[0].File.ShouldEndWith("churn.mlproj");
        File.Exists(DefinitionFile).ShouldBeFalse();
    }

    [Fact]
    public void A_gate_bound_that_is_not_a_number_fails_with_MLOPS3003()
    {
        var task = NewTask();
        task.QualityGates = [Item("AUC", ("Minimum", "0,85"))];

        task.Execute().ShouldBeFalse();

        _engine.Errors.ShouldHaveSingleItem().Code.ShouldBe("MLOPS3003");
        _engine.Errors[0].Message!.ShouldContain("0,85");
    }

    [Fact]
    public void Regression_bounds_and_drift_thresholds_reach_the_definition()
    {
        var task = NewTask();
        task.QualityGates = [Item("MicroAccuracy", ("Minimum", "0.7"), ("MaxDecrease", "0.01"))];
        task.DriftThresholds = [Item("*", ("Psi", "0.2")), Item("Tenure", ("Psi", "0.1"), ("KsStatistic", "0.08"))];

        task.Execute().ShouldBeTrue(_engine.ToString());

        var definition = PipelineRunner.LoadDefinition(DefinitionFile);
        definition.QualityGates.ShouldBe([new QualityGate("MicroAccuracy", 0.7, null, MaxDecrease: 0.01)]);
        definition.DriftThresholds.Select(t => (t.Column, t.Psi, t.KsStatistic)).ShouldBe([("*", 0.2, (double?)null), ("Tenure", 0.1, 0.08)]);
    }

    [Fact]
    public void Feature_items_reach_the_definition_with_their_transforms_in_order_and_their_options()
    {
        var task = NewTask();
        task.Features =
        [
            Item("TotalCharges", ("Transform", "ReplaceMissing; Normalize"), ("Replacement", "mode"), ("Normalization", "MeanVariance")),
            Item("Region", ("Transform", "Hash"), ("HashBits", "6")),
            Item("Notes", ("Transform", "Drop")),
        ];

        task.Execute().ShouldBeTrue(_engine.ToString());

        var features = PipelineRunner.LoadDefinition(DefinitionFile).Features;
        features.Select(f => (f.Column, string.Join(";", f.Transforms))).ShouldBe([("TotalCharges", "ReplaceMissing;Normalize"), ("Region", "Hash"), ("Notes", "Drop")]);
        features[0].Replacement.ShouldBe(MlOps.Ci.Training.Features.MissingReplacement.Mode);
        features[0].Normalization.ShouldBe(MlOps.Ci.Training.Features.NormalizationMode.MeanVariance);
        features[1].HashBits.ShouldBe(6);
    }

    [Theory]
    [InlineData("Transform", "OneHot;Scale", "MLOPS2102", "'Scale'")]
    [InlineData("Transform", "", "MLOPS2102", "has no Transform")]
    [InlineData("Replacement", "Median", "MLOPS2103", "Replacement=\"Median\"")]
    [InlineData("HashBits", "40", "MLOPS2103", "from 1 to 24")]
    public void A_bad_feature_item_fails_with_its_code_at_the_items_line(string metadata, string value, string code, string named)
    {
        File.WriteAllText(Path.Combine(_folder, "churn.mlproj"), "<Project Sdk=\"MlOps.Ci.Sdk\">\n  <ItemGroup>\n    <Feature Include=\"Tenure;Plan\" Transform=\"OneHot\" />\n  </ItemGroup>\n</Project>\n");
        var task = NewTask();
        var item = Item("Plan", ("Transform", "OneHot"));
        item.SetMetadata(metadata, value);
        task.Features = [item];

        task.Execute().ShouldBeFalse();

        var error = _engine.Errors.ShouldHaveSingleItem();
        error.Code.ShouldBe(code);
        error.Message!.ShouldContain(named);
        (error.File, error.LineNumber, error.ColumnNumber).ShouldBe((Path.Combine(_folder, "churn.mlproj"), 3, 5));
        File.Exists(DefinitionFile).ShouldBeFalse();
    }

    [Fact]
    public void A_drift_threshold_that_MSBuild_expanded_as_a_file_wildcard_fails_with_MLOPS1113_and_the_escape_to_use()
    {
        File.WriteAllText(Path.Combine(_folder, "churn.mlproj"), "<Project />");
        var task = NewTask();
        // What <DriftThreshold Include="*" /> becomes: one item per file of the project folder.
        task.DriftThresholds = [Item("churn.mlproj", ("Psi", "0.2"))];

        task.Execute().ShouldBeFalse();

        _engine.Errors.ShouldHaveSingleItem().Code.ShouldBe("MLOPS1113");
        _engine.Errors[0].Message!.ShouldContain("Include=\"%2A\"");
    }

    [Fact]
    public void Sweep_items_and_properties_reach_the_engine_typed()
    {
        var task = NewTask();
        task.Sweeps = [Item("NumberOfLeaves", ("Values", "16; 31;63")), Item("LearningRate", ("Minimum", "0.01"), ("Maximum", "0.3"), ("Scale", "log"))];
        task.SweepTrials = "12";
        task.SweepFolds = "4";
        task.SweepMetric = "LogLoss";

        task.Execute().ShouldBeTrue(_engine.ToString());
        var definition = PipelineRunner.LoadDefinition(DefinitionFile);

        definition.Sweeps.Select(s => s.Name).ShouldBe(["NumberOfLeaves", "LearningRate"]);
        definition.Sweeps[0].Values.ShouldBe(["16", "31", "63"]);
        definition.Sweeps[1].Minimum.ShouldBe(0.01);
        definition.Sweeps[1].Maximum.ShouldBe(0.3);
        definition.Sweeps[1].Scale.ShouldBe(MlOps.Ci.Training.Sweeps.SweepScale.Log);
        definition.SweepTrials.ShouldBe(12);
        definition.SweepFolds.ShouldBe(4);
        definition.SweepValidationFraction.ShouldBeNull();
        definition.SweepMetric.ShouldBe("LogLoss");
    }

    [Theory]
    [InlineData("Minimum", "low", "MLOPS2204")]
    [InlineData("Scale", "Cubic", "MLOPS2204")]
    public void A_sweep_bound_or_scale_MSBuild_cannot_read_fails_in_the_task(string metadata, string value, string code)
    {
        var task = NewTask();
        task.Sweeps = [Item("LearningRate", ("Minimum", "0.01"), ("Maximum", "0.3"), (metadata, value))];

        task.Execute().ShouldBeFalse();

        _engine.Errors.ShouldHaveSingleItem().Code.ShouldBe(code);
        File.Exists(DefinitionFile).ShouldBeFalse();
    }

    [Fact]
    public void A_sweep_property_that_is_not_a_number_fails_in_the_task()
    {
        var task = NewTask();
        task.SweepFolds = "three";

        task.Execute().ShouldBeFalse();

        _engine.Errors.ShouldHaveSingleItem().Code.ShouldBe("MLOPS2207");
    }

    private static TaskItem Item(string name, params (string Key, string Value)[] metadata)
    {
        var item = new TaskItem(name);
        foreach (var (key, value) in metadata)
            item.SetMetadata(key, value);
        return item;
    }

    private sealed class RecordingBuildEngine : IBuildEngine
    {
        public List<BuildErrorEventArgs> Errors { get; } = [];
        public bool ContinueOnError => false;
        public int LineNumberOfTaskNode => 0;
        public int ColumnNumberOfTaskNode => 0;
        public string ProjectFileOfTaskNode => "";

        public bool BuildProjectFile(string projectFileName, string[] targetNames, IDictionary globalProperties, IDictionary targetOutputs) => false;
        public void LogCustomEvent(CustomBuildEventArgs e) { }
        public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e);
        public void LogMessageEvent(BuildMessageEventArgs e) { }
        public void LogWarningEvent(BuildWarningEventArgs e) { }
        public override string ToString() => string.Join("\n", Errors.Select(e => $"{e.Code}: {e.Message}"));
    }
}
