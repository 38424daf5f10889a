namespace MlOps.Ci.Training.Sweeps;

/// <summary>How a range is sampled: evenly (<see cref="Linear"/>) or evenly in its logarithm (<see cref="Log"/>, for rates and regularisation).</summary>
public enum SweepScale
{
    Linear,
    Log,
}

/// <summary>
/// A <c>&lt;Sweep Include="NumberOfTrees" Values="100;200;400" /&gt;</c> item (a list of values: a grid axis) or
/// <c>&lt;Sweep Include="LearningRate" Minimum="0.01" Maximum="0.3" Scale="Log" /&gt;</c> (a range for random search).
/// Part of the contract between the SDK's tasks and the engine, so it depends on nothing else; the engine checks it
/// against the trainer's options (SweepChecks).
/// </summary>
public sealed record SweepParameter(string Name)
{
    /// <summary>The values to try, as written; empty for a range.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];

    public double? Minimum { get; init; }
    public double? Maximum { get; init; }
    public SweepScale Scale { get; init; } = SweepScale.Linear;

    public bool IsRange => Minimum is not null || Maximum is not null;
}
