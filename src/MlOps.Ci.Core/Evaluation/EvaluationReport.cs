namespace MlOps.Ci.Evaluation;

/// <summary>What EvaluateModel measured (obj/mlops/evaluation.json), and whether the gates passed.</summary>
public sealed record EvaluationReport(
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<GateVerdict> Gates,
    long EvaluationRows,
    string ExecutionProvider,
    double ScoringSeconds)
{
    public bool Passed => Gates.All(g => g.Passed);

    /// <summary>The profile of the model's predictions on the evaluation data; packaging stores it as the drift reference.</summary>
    public Data.ColumnProfile? Predictions { get; init; }

    /// <summary>Permutation feature importance on the evaluation data; null in reports written before it existed.</summary>
    public PermutationImportance? FeatureImportance { get; init; }

    /// <summary>Where the model was scored: provider, ONNX Runtime build and version, why not CUDA; null in reports written before it was recorded.</summary>
    public Runtime.ScoringRuntime? Runtime { get; init; }

    /// <summary>What computing <see cref="FeatureImportance"/> added to the evaluation, in seconds (a cost, kept out of the card).</summary>
    public double? ImportanceSeconds { get; init; }
}
