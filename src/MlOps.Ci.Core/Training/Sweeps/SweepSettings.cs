using MlOps.Ci.Evaluation;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Training.Sweeps;

/// <summary>
/// How trials are scored: k-fold cross-validation on the training data (<see cref="Folds"/>), or one seeded holdout
/// split of it (<see cref="ValidationFraction"/>). Never the evaluation data: the winner is chosen without looking at
/// the rows that later judge it.
/// </summary>
public sealed record ValidationScheme(int Folds, double? ValidationFraction)
{
    public override string ToString() => ValidationFraction is { } fraction
        ? $"holdout of {fraction.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} of the training rows"
        : $"{Folds}-fold cross-validation on the training rows";
}

/// <summary>A definition's sweep settings with their defaults applied; only made from a checked definition.</summary>
public sealed record SweepSettings(string Metric, bool HigherIsBetter, ValidationScheme Validation)
{
    public const int DefaultFolds = 3;
    public const int DefaultRandomTrials = 10;

    public static SweepSettings Of(PipelineDefinition definition)
    {
        var metric = definition.SweepMetric is { Length: > 0 } named ? Metrics.Canonical(definition.ModelTask, named)! : Metrics.Primary(definition.ModelTask);
        var validation = definition.SweepValidationFraction is { } fraction
            ? new ValidationScheme(1, fraction)
            : new ValidationScheme(definition.SweepFolds ?? DefaultFolds, null);
        return new SweepSettings(metric, Metrics.HigherIsBetter(metric), validation);
    }
}
