using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Training.Sweeps;

namespace MlOps.Ci.Core.Tests.Sweeps;

/// <summary>
/// The CI matrix as it really runs: each shard job on its own runner (its own empty local cache), sharing only a remote
/// cache in a real OCI registry; the merge job, on a third runner, gets every trial from the registry.
/// </summary>
public sealed class SweepRemoteCacheSpecs(LocalRegistry registry) : IClassFixture<LocalRegistry>
{
    [RegistryFact]
    public void Shard_jobs_on_separate_runners_hand_their_trials_to_the_merge_job_through_the_registry()
    {
        var repository = registry.NewRepository("sweep-cache");
        var remote = $"oci://{repository.Registry}/{repository.Repository}";
        using var whole = new SweepProject();
        using var firstShard = new SweepProject { RemoteCache = remote };
        using var secondShard = new SweepProject { RemoteCache = remote };
        using var merge = new SweepProject { RemoteCache = remote };

        firstShard.Train(new SweepShard(1, 2));
        secondShard.Train(new SweepShard(2, 2));
        var merged = merge.Train().Sweep!;
        var alone = whole.Train().Sweep!;

        merged.Trials.ShouldAllBe(t => t.RanIn == "the remote cache", "the merge runner's local cache was empty and it ran no trial itself");
        merged.Winner.ShouldBe(alone.Winner);
        merged.Trials.Select(t => t.Metrics).ShouldBe(alone.Trials.Select(t => t.Metrics));
        new[] { firstShard, secondShard, merge }.SelectMany(p => p.Logger.Warnings).ShouldBeEmpty();
    }
}
