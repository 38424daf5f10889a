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
}
