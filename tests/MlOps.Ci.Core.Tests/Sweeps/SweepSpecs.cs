using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Evaluation;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Reporting;
using MlOps.Ci.Training.Sweeps;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Core.Tests.Sweeps;

/// <summary>Hyperparameter sweeps on the churn sample: the grid, random search, the folds, the winner and where the trials are shown.</summary>
public sealed class SweepSpecs : IDisposable
{
    private readonly SweepProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void A_grid_sweep_tries_every_combination_and_trains_the_trial_with_the_best_mean_AUC()
    {
        var report = _project.Train();

        var sweep = report.Sweep.ShouldNotBeNull();
        sweep.Search.ShouldBe(SweepReport.GridSearch);
        sweep.Metric.ShouldBe("AUC");
        sweep.Trials.Select(t => (t.Parameters["NumberOfTrees"], t.Parameters["LearningRate"])).ShouldBe(
            [("2", "0.05"), ("2", "0.3"), ("20", "0.05"), ("20", "0.3")]);
        sweep.Trials.ShouldAllBe(t => t.Metrics.ContainsKey("AUC") && t.Metrics.ContainsKey("LogLoss") && t.Seconds > 0);
        var best = sweep.Trials.MaxBy(t => t.Metrics["AUC"].Mean)!;
        sweep.Winner.ShouldBe(best.Number);
        report.Parameters["NumberOfTrees"].ShouldBe(best.Parameters["NumberOfTrees"]);
        report.Parameters["LearningRate"].ShouldBe(best.Parameters["LearningRate"]);
        report.Parameters["NumberOfLeaves"].ShouldBe("4", "a Hyperparameter applies to every trial and to the final model");
        report.TrainingRows.ShouldBe(SweepProject.TrainingRows, "the winner is trained on all training rows");
    }

    [Fact]
    public void A_lower_is_better_sweep_metric_picks_the_trial_with_the_smallest_mean()
    {
        _project.Definition = _project.Definition with { SweepMetric = "LogLoss", Sweeps = [SweepProject.Grid("NumberOfTrees", "2", "10", "30")] };

        var sweep = _project.Train().Sweep.ShouldNotBeNull();

        sweep.HigherIsBetter.ShouldBeFalse();
        sweep.Winner.ShouldBe(sweep.Trials.MinBy(t => t.Metrics["LogLoss"].Mean)!.Number);
        sweep.Trials.Select(t => t.Metrics["LogLoss"].Mean).Distinct().Count().ShouldBe(3, "different tree counts give different models");
    }

    [Fact]
    public void Random_search_is_reproducible_with_the_seed_and_differs_with_another_seed()
    {
        var definition = _project.Definition with
        {
            Sweeps =
            [
                new SweepParameter("LearningRate") { Minimum = 0.01, Maximum = 0.3, Scale = SweepScale.Log },
                new SweepParameter("NumberOfTrees") { Minimum = 5, Maximum = 50 },
                SweepProject.Grid("FeatureFraction", "0.5", "1"),
            ],
            SweepTrials = 6,
        };

        var first = SweepSpace.Trials(definition);
        var again = SweepSpace.Trials(definition);
        var otherSeed = SweepSpace.Trials(definition with { Seed = 7 });

        first.Count.ShouldBe(6);
        again.Select(t => t.Describe()).ShouldBe(first.Select(t => t.Describe()));
        otherSeed.Select(t => t.Describe()).ShouldNotBe(first.Select(t => t.Describe()));
        first.ShouldAllBe(t => double.Parse(t.Parameters["LearningRate"], System.Globalization.CultureInfo.InvariantCulture) >= 0.01
            && double.Parse(t.Parameters["LearningRate"], System.Globalization.CultureInfo.InvariantCulture) <= 0.3);
        first.ShouldAllBe(t => int.Parse(t.Parameters["NumberOfTrees"]) >= 5 && int.Parse(t.Parameters["NumberOfTrees"]) <= 50, "an integer option samples whole numbers");
        first.ShouldAllBe(t => t.Parameters["FeatureFraction"] == "0.5" || t.Parameters["FeatureFraction"] == "1");
    }

    [Fact]
    public void A_trial_budget_below_the_grid_size_runs_a_seeded_subset_of_the_grid()
    {
        var definition = _project.Definition with { Sweeps = [SweepProject.Grid("NumberOfTrees", "2", "5", "10"), SweepProject.Grid("LearningRate", "0.1", "0.2", "0.3")], SweepTrials = 4 };

        var trials = SweepSpace.Trials(definition);

        trials.Count.ShouldBe(4);
        trials.Select(t => t.Describe()).Distinct().Count().ShouldBe(4);
        SweepSpace.Trials(definition).Select(t => t.Describe()).ShouldBe(trials.Select(t => t.Describe()));
    }

    [Fact]
    public void The_folds_partition_the_training_rows_and_hold_every_class()
    {
        var validation = _project.Runner().Validate(_project.Definition);
        var table = DataTable.Load([_project.TrainingFile], validation.Schema);

        var folds = ValidationSplits.Split(table, ModelTask.BinaryClassification, new ValidationScheme(3, null), 42, new Diagnostics.SourceLocation(""));

        folds.Count.ShouldBe(3);
        folds.SelectMany(f => f.HeldOutRows).Order().ShouldBe(Enumerable.Range(0, SweepProject.TrainingRows));
        folds.ShouldAllBe(f => f.Training.RowCount + f.HeldOut.RowCount == SweepProject.TrainingRows);
        folds.ShouldAllBe(f => ((TextColumn)f.HeldOut.Label).Values.Distinct().Count() == 2);
        var holdout = ValidationSplits.Split(table, ModelTask.BinaryClassification, new ValidationScheme(1, 0.25), 42, new Diagnostics.SourceLocation("")).ShouldHaveSingleItem();
        holdout.HeldOut.RowCount.ShouldBeInRange(149, 151);
    }

    [Fact]
    public void Trials_never_see_the_evaluation_data()
    {
        _project.Definition = _project.Definition with { Sweeps = [SweepProject.Grid("NumberOfTrees", "2", "10")] };
        var before = _project.Train().Sweep!;

        // Other held-out rows (and other metrics for the final model) must not move a single trial's score.
        using var other = new TempFolder();
        File.Copy(ChurnSample.Copy(other, "test.csv", 400), _project.EvaluationFile, overwrite: true);
        var after = new SweepRunner(_project.Logger).Run(_project.Definition, _project.Runner().Validate(_project.Definition));

        after.Trials.Select(t => t.Metrics["AUC"]).ShouldBe(before.Trials.Select(t => t.Metrics["AUC"]));
        after.Trials.ShouldAllBe(t => t.RanIn == null, "no store: every trial ran again");
    }

    [Fact]
    public void The_model_card_and_the_report_list_every_trial_and_mark_the_winner()
    {
        _project.Runner().Run(_project.Definition, [PipelineStep.Validate, PipelineStep.Train, PipelineStep.Evaluate, PipelineStep.Package]);

        var package = ModelPackage.Read(_project.Definition.PackagePath);
        var sweep = package.Card.Sweep.ShouldNotBeNull();
        sweep.Trials.Count.ShouldBe(4);
        package.Card.Trainer.Parameters["NumberOfTrees"].ShouldBe(sweep.WinningTrial.Parameters["NumberOfTrees"]);

        var markdown = ReportMarkdown.Render(ModelComparison.Compare(package, null, null));

        markdown.ShouldContain("### Trials");
        markdown.ShouldContain("| trial | NumberOfTrees | LearningRate | **AUC** |");
        foreach (var trial in sweep.Trials)
            markdown.ShouldContain($"| {(trial.Number == sweep.Winner ? "🏆 " : "")}{trial.Number} | {trial.Parameters["NumberOfTrees"]} | {trial.Parameters["LearningRate"]} | ");
        markdown.ShouldContain($"{QualityGates.Format(sweep.WinningTrial.Metrics["AUC"].Mean)} ± ");
    }

    [Fact]
    public void A_sweep_in_the_definition_changes_the_model_fingerprint_and_its_shard_settings_do_not()
    {
        var plain = _project.Definition with { Sweeps = [] };

        var withSweep = InputFingerprints.OfDefinition(_project.Definition, null);

        withSweep.ShouldNotBe(InputFingerprints.OfDefinition(plain, null));
        InputFingerprints.OfDefinition(_project.Definition with { SweepFolds = 5 }, null).ShouldNotBe(withSweep);
        MlOpsJson.Serialize(plain).ShouldNotContain("sweepShard");
    }
}
