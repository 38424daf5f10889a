namespace MlOps.Ci.Training.Sweeps;

/// <summary>A metric over a trial's folds: the mean and the (population) standard deviation; 0 for a single holdout split.</summary>
public sealed record MetricSummary(double Mean, double StandardDeviation)
{
    public static MetricSummary Of(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        return new MetricSummary(mean, Math.Sqrt(values.Average(v => (v - mean) * (v - mean))));
    }
}

/// <summary>One trial as training.json, the model card and the report show it.</summary>
/// <param name="Number">1-based, in the sweep's plan order (the same on every shard).</param>
/// <param name="Parameters">The swept values this trial tried (the project's fixed hyperparameters apply too).</param>
/// <param name="Metrics">Every metric of the task over the folds.</param>
/// <param name="Seconds">Fitting and scoring time summed over the folds, wherever the trial ran.</param>
/// <param name="RanIn">Null when this build ran the trial; otherwise the cache it was read from (a shard's result).</param>
public sealed record TrialReport(int Number, IReadOnlyDictionary<string, string> Parameters, IReadOnlyDictionary<string, MetricSummary> Metrics, double Seconds,
    string? RanIn = null);

/// <summary>
/// What a sweep did: how trials were scored, every trial, and the winner whose parameters trained the packaged model.
/// Stored in training.json and the model card; <c>mlops report</c> renders it as the Trials table.
/// </summary>
public sealed record SweepReport(
    string Search,
    string Metric,
    bool HigherIsBetter,
    string Validation,
    IReadOnlyList<TrialReport> Trials,
    int Winner,
    double Seconds)
{
    public const string GridSearch = "grid";
    public const string RandomSearch = "random";

    public TrialReport WinningTrial => Trials.First(t => t.Number == Winner);
}
