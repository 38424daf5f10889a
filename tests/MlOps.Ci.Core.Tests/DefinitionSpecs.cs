using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Core.Tests;

/// <summary>
/// Mistakes in the definition (trainer, hyperparameters, gates) fail before any data is read: the data file here does
/// not exist, so reaching the data would fail with MLOPS1001 instead.
/// </summary>
public sealed class DefinitionSpecs : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly PipelineRunner _runner = new(NullLogger.Instance);
    private readonly PipelineDefinition _definition;

    public DefinitionSpecs()
    {
        _definition = Definitions.In(_folder, "Bought", [_folder.PathOf("data/never-read.csv")]);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_definition_file_reads_back_every_setting_the_sdk_writes()
    {
        // LoadDefinition uses source-generated metadata (startup cost); it must read exactly what reflection writes.
        var written = _definition with
        {
            ModelTask = ModelTask.Regression,
            Seed = 7,
            PositiveClass = "yes",
            Hyperparameters = new Dictionary<string, string> { ["NumberOfTrees"] = "50" },
            QualityGates = [new QualityGate("RSquared", Minimum: 0.5, MaxDecrease: 0.01)],
            DriftThresholds = [new MlOps.Ci.Drift.DriftThreshold("*", 0.2, 0.1, null, null, null)],
            IgnoreColumns = ["Id"],
            CategoricalColumns = ["Zip"],
            Features = [new MlOps.Ci.Training.Features.FeatureDeclaration("Age", [MlOps.Ci.Training.Features.FeatureTransform.ReplaceMissing, MlOps.Ci.Training.Features.FeatureTransform.Normalize])
                { Replacement = MlOps.Ci.Training.Features.MissingReplacement.Mode, Normalization = MlOps.Ci.Training.Features.NormalizationMode.Robust, HashBits = 5, MaxCategories = 3 }],
            Sweeps = [new MlOps.Ci.Training.Sweeps.SweepParameter("LearningRate") { Minimum = 0.01, Maximum = 0.3, Scale = MlOps.Ci.Training.Sweeps.SweepScale.Log }],
            SweepTrials = 4,
            SweepFolds = 5,
            SweepMetric = "RSquared",
            TrainerCommand = "python3 train.py {OnnxPath}",
            TrainerInputs = [_folder.PathOf("train.py")],
            TrainerTimeoutSeconds = 60,
            OrtFlavor = MlOps.Ci.Runtime.OrtFlavor.Gpu,
            ExecutionProvider = MlOps.Ci.Runtime.ExecutionProvider.CudaRequired,
            SchemaFile = _folder.PathOf("schema.json"),
        };
        var path = _folder.Write("obj/mlops/pipeline.json", MlOps.Ci.IO.MlOpsJson.Serialize(written));

        var read = PipelineRunner.LoadDefinition(path);

        MlOps.Ci.IO.MlOpsJson.Serialize(read).ShouldBe(MlOps.Ci.IO.MlOpsJson.Serialize(written));
        read.Features.ShouldHaveSingleItem().MaxCategories.ShouldBe(3);
        read.Sweeps.ShouldHaveSingleItem().Scale.ShouldBe(MlOps.Ci.Training.Sweeps.SweepScale.Log);
    }

    [Fact]
    public void A_definition_that_leaves_out_the_optional_settings_reads_them_as_their_defaults()
    {
        // A hand-written definition, or one an older SDK wrote before Feature and Sweep existed.
        var path = _folder.Write("obj/mlops/pipeline.json", $$"""
            { "modelName": "m", "labelColumn": "Bought", "intermediateDirectory": "{{_folder.PathOf("obj/mlops").Replace("\\", "/")}}", "packagePath": "m.mlpkg" }
            """);

        var read = PipelineRunner.LoadDefinition(path);

        (read.Trainer, read.Seed, read.ModelTask).ShouldBe(("FastTree", 42, ModelTask.BinaryClassification));
        read.QualityGates.ShouldBeEmpty();
        read.Features.ShouldBeEmpty();
        read.Sweeps.ShouldBeEmpty();
        read.TrainingData.ShouldBeEmpty();
        read.TrainerTimeoutSeconds.ShouldBe(PipelineDefinition.DefaultTrainerTimeoutSeconds);
    }

    [Fact]
    public void An_unknown_trainer_fails_and_the_hint_lists_the_trainers_of_the_task()
    {
        var diagnostic = Failures.SingleOf(() => _runner.Validate(_definition with { Trainer = "RandomJungle" }));

        diagnostic.Code.ShouldBe(DiagnosticCodes.UnknownTrainer);
        diagnostic.Location.ShouldBe(new SourceLocation(_definition.ProjectFile));
        diagnostic.Message.ShouldContain("'RandomJungle'");
        diagnostic.Hint.ShouldNotBeNull().ShouldContain("FastTree");
        diagnostic.Hint.ShouldContain("LightGbm");
        diagnostic.Hint.ShouldNotContain("SdcaMaximumEntropy", customMessage: "a multiclass trainer is no choice for a binary model");
    }

    [Fact]
    public void A_hyperparameter_the_trainer_lacks_fails_and_the_hint_lists_the_valid_names()
    {
        var definition = _definition with { Hyperparameters = new Dictionary<string, string> { ["NumberOfTreez"] = "10" } };

        var diagnostic = Failures.SingleOf(() => _runner.Validate(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.UnknownHyperparameter);
        diagnostic.Location.ShouldBe(new SourceLocation(_definition.ProjectFile));
        diagnostic.Message.ShouldContain("'NumberOfTreez'");
        diagnostic.Hint.ShouldNotBeNull().ShouldContain("NumberOfTrees");
        diagnostic.Hint.ShouldContain("NumberOfLeaves");
        diagnostic.Hint.ShouldContain("LearningRate");
    }

    [Fact]
    public void Hyperparameter_names_are_matched_without_regard_to_case()
    {
        var definition = _definition with { Hyperparameters = new Dictionary<string, string> { ["numberoftrees"] = "10" } };

        Failures.SingleOf(() => _runner.Validate(definition)).Code.ShouldBe(DiagnosticCodes.DataFileNotFound, "the definition is fine, so the missing data is the failure");
    }

    [Theory]
    [InlineData("NumberOfTrees", "many")]
    [InlineData("LearningRate", "0,2")]
    [InlineData("NumberOfTrees", "1e99")]
    [InlineData("NumberOfTrees", "1,000")]
    [InlineData("LearningRate", "NaN")]
    [InlineData("EnablePruning", "maybe")]
    public void A_hyperparameter_with_an_invalid_value_fails_naming_the_value(string name, string value)
    {
        var definition = _definition with { Hyperparameters = new Dictionary<string, string> { [name] = value } };

        var diagnostic = Failures.SingleOf(() => _runner.Validate(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.InvalidHyperparameterValue);
        diagnostic.Message.ShouldContain($"'{name}'");
        diagnostic.Message.ShouldContain($"'{value}'");
    }

    [Fact]
    public void A_gate_on_an_unknown_metric_fails_and_the_hint_lists_the_metrics_of_the_task()
    {
        var definition = _definition with { QualityGates = [new QualityGate("Banana", Minimum: 0.5)] };

        var diagnostic = Failures.SingleOf(() => _runner.Validate(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.UnknownMetric);
        diagnostic.Location.ShouldBe(new SourceLocation(_definition.ProjectFile));
        diagnostic.Message.ShouldContain("'Banana'");
        diagnostic.Hint.ShouldNotBeNull().ShouldContain("AUC");
        diagnostic.Hint.ShouldNotContain("RSquared");
    }

    [Fact]
    public void A_gate_on_a_metric_of_another_task_is_unknown()
    {
        var definition = _definition with { QualityGates = [new QualityGate("RSquared", Minimum: 0.5)] };

        Failures.SingleOf(() => _runner.Validate(definition)).Code.ShouldBe(DiagnosticCodes.UnknownMetric);
    }

    [Fact]
    public void A_gate_without_a_bound_fails()
    {
        var definition = _definition with { QualityGates = [new QualityGate("AUC")] };

        var diagnostic = Failures.SingleOf(() => _runner.Validate(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.GateWithoutBound);
        diagnostic.Location.ShouldBe(new SourceLocation(_definition.ProjectFile));
        diagnostic.Message.ShouldContain("'AUC'");
    }
}
