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
