using MlOps.Ci.Pipeline;
using MlOps.Ci.Training.Sweeps;

namespace MlOps.Ci.Core.Tests.Sweeps;

/// <summary>A sweep split across CI matrix jobs (SweepShard=i/n) and merged from a shared folder cache gives what one build gives.</summary>
public sealed class SweepShardSpecs : IDisposable
{
    private readonly SweepProject _whole = new();
    private readonly SweepProject _sharded = new();

    public void Dispose()
    {
        _whole.Dispose();
        _sharded.Dispose();
    }

    [Fact]
    public void Shards_merged_from_the_cache_pick_the_same_winner_with_the_same_trial_metrics_as_one_build()
    {
        var whole = _whole.Train().Sweep!;

        _sharded.Train(new SweepShard(1, 2));
        File.Exists(PipelineWorkspace.For(_sharded.Definition).ModelPath).ShouldBeFalse("a shard job builds no model");
        _sharded.Train(new SweepShard(2, 2));
        var merged = _sharded.Train().Sweep!;

        merged.Winner.ShouldBe(whole.Winner);
        merged.Trials.Select(t => (t.Number, t.Parameters["NumberOfTrees"], t.Parameters["LearningRate"])).ShouldBe(
            whole.Trials.Select(t => (t.Number, t.Parameters["NumberOfTrees"], t.Parameters["LearningRate"])));
        merged.Trials.Select(t => t.Metrics).ShouldBe(whole.Trials.Select(t => t.Metrics));
        merged.Trials.ShouldAllBe(t => t.RanIn == "the local cache", "the merge job ran no trial itself");
        _sharded.Logger.Entries.ShouldContain(e => e.Message.Contains("A shard job builds no model"));
    }

    [Fact]
    public void The_merge_job_runs_the_trials_no_shard_stored_and_says_which()
    {
        _sharded.Train(new SweepShard(1, 2));

        var merged = _sharded.Train().Sweep!;

        merged.Trials.Where(t => t.RanIn is null).Select(t => t.Number).ShouldBe([2, 4], "shard 1 of 2 owns trials 1 and 3");
        _sharded.Logger.Entries.ShouldContain(e => e.Message.Contains("running 2 (trials 2, 4)"));
    }

    [Fact]
    public void A_shard_of_a_project_without_a_sweep_is_an_error()
    {
        _sharded.Definition = _sharded.Definition with { Sweeps = [] };

        var diagnostic = Support.Failures.SingleOf(() => _sharded.Train(new SweepShard(1, 2)));

        diagnostic.Code.ShouldBe(Diagnostics.DiagnosticCodes.SweepShardInvalid);
    }
}
