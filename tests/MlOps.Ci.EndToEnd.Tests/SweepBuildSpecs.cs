using Shouldly;

namespace MlOps.Ci.EndToEnd.Tests;

/// <summary>A sweep declared in the project file, built through the packed SDK and MSBuild like any model.</summary>
public sealed class SweepBuildSpecs : IClassFixture<PackedSdkFixture>, IDisposable
{
    private readonly ModelProject _project;

    public SweepBuildSpecs(PackedSdkFixture fixture) => _project = fixture.Sdk.CopySample("churn");

    public void Dispose() => _project.Dispose();

    [Fact]
    public void A_project_with_a_sweep_builds_and_its_package_card_lists_every_trial_and_the_winner()
    {
        // Few trees and two folds keep the four trials quick; the sweeps replace the sample's fixed NumberOfTrees and LearningRate.
        _project.EditProject("<Hyperparameter Include=\"NumberOfTrees\" Value=\"200\" />", "<Sweep Include=\"NumberOfTrees\" Values=\"20;60\" />");
        _project.EditProject("<Hyperparameter Include=\"LearningRate\" Value=\"0.05\" />", "<Sweep Include=\"LearningRate\" Values=\"0.05;0.2\" />");
        _project.EditProject("<Trainer>FastTree</Trainer>", "<Trainer>FastTree</Trainer><SweepFolds>2</SweepFolds>");

        var result = _project.Build();

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("Sweep winner: trial ");
        var card = new PackageContents(_project.PackagePath()).Card;
        var sweep = card.GetProperty("sweep");
        sweep.GetProperty("metric").GetString().ShouldBe("AUC");
        sweep.GetProperty("validation").GetString().ShouldBe("2-fold cross-validation on the training rows");
        var trials = sweep.GetProperty("trials").EnumerateArray().ToList();
        trials.Select(t => (t.GetProperty("parameters").GetProperty("NumberOfTrees").GetString(), t.GetProperty("parameters").GetProperty("LearningRate").GetString()))
            .ShouldBe([("20", "0.05"), ("20", "0.2"), ("60", "0.05"), ("60", "0.2")]);
        var winner = trials.Single(t => t.GetProperty("number").GetInt32() == sweep.GetProperty("winner").GetInt32());
        winner.GetProperty("metrics").GetProperty("AUC").GetProperty("mean").GetDouble()
            .ShouldBe(trials.Max(t => t.GetProperty("metrics").GetProperty("AUC").GetProperty("mean").GetDouble()));
        card.GetProperty("trainer").GetProperty("parameters").GetProperty("NumberOfTrees").GetString()
            .ShouldBe(winner.GetProperty("parameters").GetProperty("NumberOfTrees").GetString());
    }

    [Fact]
    public void A_shard_build_runs_its_trials_and_succeeds_without_building_a_package()
    {
        _project.EditProject("<Hyperparameter Include=\"NumberOfTrees\" Value=\"200\" />", "<Sweep Include=\"NumberOfTrees\" Values=\"20;40\" />");

        var result = _project.Build("-p:SweepShard=1/2");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("A shard job builds no model");
        File.Exists(_project.PackagePath()).ShouldBeFalse();
    }
}
