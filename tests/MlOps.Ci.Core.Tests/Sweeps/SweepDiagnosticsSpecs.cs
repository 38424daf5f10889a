using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Training.Sweeps;

namespace MlOps.Ci.Core.Tests.Sweeps;

/// <summary>Every sweep mistake fails with its own code before any data is read (or, for too few rows, before any trial runs).</summary>
public sealed class SweepDiagnosticsSpecs : IDisposable
{
    private readonly SweepProject _project = new();

    public void Dispose() => _project.Dispose();

    public static TheoryData<string, string> Mistakes => new()
    {
        { "no values and no range", DiagnosticCodes.SweepWithoutValues },
        { "values and a range", DiagnosticCodes.SweepValuesAndRange },
        { "a value of the wrong type", DiagnosticCodes.SweepValueInvalid },
        { "minimum above maximum", DiagnosticCodes.SweepRangeInvalid },
        { "one bound only", DiagnosticCodes.SweepRangeInvalid },
        { "log scale from zero", DiagnosticCodes.SweepRangeInvalid },
        { "fractional bounds of an integer", DiagnosticCodes.SweepRangeInvalid },
        { "a range on a boolean", DiagnosticCodes.SweepRangeInvalid },
        { "an unknown hyperparameter", DiagnosticCodes.SweepUnknownHyperparameter },
        { "a sweep of a fixed hyperparameter", DiagnosticCodes.SweepConflictsWithHyperparameter },
        { "one folds", DiagnosticCodes.SweepSettingInvalid },
        { "a validation fraction of 0.9", DiagnosticCodes.SweepSettingInvalid },
        { "folds and a validation fraction", DiagnosticCodes.SweepSettingInvalid },
        { "zero trials", DiagnosticCodes.SweepSettingInvalid },
        { "an unknown metric", DiagnosticCodes.SweepMetricUnknown },
        { "an external trainer", DiagnosticCodes.SweepWithExternalTrainer },
        { "the same sweep twice", DiagnosticCodes.SweepDeclaredTwice },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void A_sweep_mistake_fails_validation_with_its_own_code(string mistake, string code)
    {
        var definition = Apply(_project.Definition, mistake);

        var diagnostic = Failures.SingleOf(() => _project.Runner().Validate(definition));

        diagnostic.Code.ShouldBe(code);
        diagnostic.Location!.File.ShouldBe(definition.ProjectFile);
        File.Exists(PipelineWorkspace.For(definition).ValidationReportPath).ShouldBeFalse("no data was read");
    }

    [Theory]
    [InlineData("3")]
    [InlineData("0/3")]
    [InlineData("4/3")]
    [InlineData("one/two")]
    public void A_shard_that_is_not_i_of_n_has_its_own_code(string shard) =>
        Failures.SingleOf(() => SweepShard.Parse(shard)).Code.ShouldBe(DiagnosticCodes.SweepShardInvalid);

    [Fact]
    public void A_parallelism_below_one_is_a_setting_error() =>
        Failures.SingleOf(() => SweepShard.ParseParallelism("0")).Code.ShouldBe(DiagnosticCodes.SweepSettingInvalid);

    [Fact]
    public void Too_few_training_rows_for_the_folds_fail_before_any_trial_runs()
    {
        var definition = _project.Definition with { SweepFolds = 20, TrainingData = [ChurnSample.Copy(_project.Folder, "train.csv", 150, "data/small.csv")] };

        var diagnostic = Failures.SingleOf(() => _project.Runner().Run(definition, [PipelineStep.Validate, PipelineStep.Train]));

        diagnostic.Code.ShouldBe(DiagnosticCodes.SweepTooFewRows);
        diagnostic.Message.ShouldContain("20 folds of 150 training rows");
        _project.Logger.Entries.ShouldNotContain(e => e.Message.StartsWith("Sweep trial"));
    }

    [Fact]
    public void A_failed_trial_fails_the_step_and_names_the_trial_parameters()
    {
        // Zero trees is an int like any other to the checks; FastTree rejects it only when it fits.
        var definition = _project.Definition with { Sweeps = [SweepProject.Grid("NumberOfTrees", "2", "0")] };

        var diagnostics = Failures.Of(() => _project.Runner().Run(definition, [PipelineStep.Validate, PipelineStep.Train]));

        diagnostics[0].Message.ShouldContain("Sweep trial 2 (NumberOfTrees=0) failed");
        File.Exists(PipelineWorkspace.For(definition).ModelPath).ShouldBeFalse();
    }

    private static PipelineDefinition Apply(PipelineDefinition definition, string mistake) => mistake switch
    {
        "no values and no range" => definition with { Sweeps = [new SweepParameter("NumberOfTrees")] },
        "values and a range" => definition with { Sweeps = [new SweepParameter("NumberOfTrees") { Values = ["10"], Minimum = 5, Maximum = 50 }] },
        "a value of the wrong type" => definition with { Sweeps = [SweepProject.Grid("NumberOfTrees", "10", "20.5")] },
        "minimum above maximum" => definition with { Sweeps = [new SweepParameter("LearningRate") { Minimum = 0.3, Maximum = 0.01 }] },
        "one bound only" => definition with { Sweeps = [new SweepParameter("LearningRate") { Minimum = 0.3 }] },
        "log scale from zero" => definition with { Sweeps = [new SweepParameter("LearningRate") { Minimum = 0, Maximum = 0.3, Scale = SweepScale.Log }] },
        "fractional bounds of an integer" => definition with { Sweeps = [new SweepParameter("NumberOfTrees") { Minimum = 5.5, Maximum = 50 }] },
        "a range on a boolean" => definition with { Sweeps = [new SweepParameter("DiskTranspose") { Minimum = 0, Maximum = 1 }] },
        "an unknown hyperparameter" => definition with { Sweeps = [SweepProject.Grid("NumberOfForests", "1", "2")] },
        "a sweep of a fixed hyperparameter" => definition with { Sweeps = [SweepProject.Grid("numberOfLeaves", "4", "8")] },
        "one folds" => definition with { SweepFolds = 1 },
        "a validation fraction of 0.9" => definition with { SweepValidationFraction = 0.9 },
        "folds and a validation fraction" => definition with { SweepFolds = 3, SweepValidationFraction = 0.2 },
        "zero trials" => definition with { SweepTrials = 0 },
        "an unknown metric" => definition with { SweepMetric = "RSquared" },
        "an external trainer" => definition with { Trainer = "Command" },
        "the same sweep twice" => definition with { Sweeps = [SweepProject.Grid("NumberOfTrees", "2"), SweepProject.Grid("numberoftrees", "5")] },
        _ => throw new ArgumentOutOfRangeException(nameof(mistake)),
    };
}
