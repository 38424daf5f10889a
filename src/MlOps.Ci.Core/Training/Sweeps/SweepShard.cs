using System.Globalization;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Training.Sweeps;

/// <summary>
/// <c>-p:SweepShard=i/n</c>: this build is CI matrix job i of n and runs only its share of the trials (every n-th,
/// starting at the i-th, so each shard gets a spread of the grid). How a build runs, not what it builds: it is a run
/// option, never part of the definition or any fingerprint.
/// </summary>
public sealed record SweepShard(int Index, int Count)
{
    public bool Owns(SweepTrial trial) => (trial.Number - 1) % Count == Index - 1;

    public override string ToString() => $"{Index}/{Count}";

    public static SweepShard Parse(string text)
    {
        var parts = text.Trim().Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1 && index >= 1 && index <= count)
        {
            return new SweepShard(index, count);
        }
        throw MlOpsException.Of(DiagnosticCodes.SweepShardInvalid, $"SweepShard '{text}' is not i/n with 1 ≤ i ≤ n.", null,
            "Pass -p:SweepShard=1/3, 2/3, 3/3 from the jobs of a CI matrix (e.g. ${{ matrix.shard }}/3).");
    }

    /// <summary><c>SweepParallelism</c>: how many fits run at once; default the processor count.</summary>
    public static int ParseParallelism(string text) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parallelism) && parallelism >= 1 ? parallelism
        : throw MlOpsException.Of(DiagnosticCodes.SweepSettingInvalid, $"SweepParallelism '{text}' is not a whole number ≥ 1.", null,
            "Leave it unset for one fit per processor, or set a smaller number to leave cores free.");
}
