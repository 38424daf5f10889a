using System.Globalization;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Evaluation;

/// <summary>
/// A gate's outcome on the evaluation data. The regression bounds (<see cref="MaxDecrease"/>, <see cref="MaxIncrease"/>)
/// are recorded here so the model card carries them to <c>mlops report</c>; they do not affect <see cref="Passed"/>.
/// </summary>
public sealed record GateVerdict(string Metric, double? Minimum, double? Maximum, double Value, bool Passed, string Message,
    double? MaxDecrease = null, double? MaxIncrease = null);

public static class QualityGates
{
    /// <summary>Checks the gates themselves (known metric, at least one bound) before any work is spent on training.</summary>
    public static void CheckDeclarations(PipelineDefinition definition)
    {
        var where = new SourceLocation(definition.ProjectFile);
        foreach (var gate in definition.QualityGates)
        {
            if (Metrics.Canonical(definition.ModelTask, gate.Metric) is null)
            {
                throw MlOpsException.Of(DiagnosticCodes.UnknownMetric, $"QualityGate '{gate.Metric}' names no metric of {definition.ModelTask}.", where,
                    $"Use one of: {string.Join(", ", Metrics.Names[definition.ModelTask])}.");
            }
            if (gate.Minimum is null && gate.Maximum is null && gate.MaxDecrease is null && gate.MaxIncrease is null)
            {
                throw MlOpsException.Of(DiagnosticCodes.GateWithoutBound, $"QualityGate '{gate.Metric}' has no bound.", where,
                    $"Add Minimum=\"…\", Maximum=\"…\", MaxDecrease=\"…\" or MaxIncrease=\"…\" to <QualityGate Include=\"{gate.Metric}\" />.");
            }
            if (gate.MaxDecrease < 0 || gate.MaxIncrease < 0)
            {
                throw MlOpsException.Of(DiagnosticCodes.GateWithoutBound, $"QualityGate '{gate.Metric}' has a negative MaxDecrease or MaxIncrease.", where,
                    "They are the largest allowed change against the baseline, in the metric's units: use 0 or a positive number.");
            }
        }
    }

    public static IReadOnlyList<GateVerdict> Evaluate(PipelineDefinition definition, IReadOnlyDictionary<string, double> metrics)
    {
        CheckDeclarations(definition);
        return definition.QualityGates.Select(gate =>
        {
            var name = Metrics.Canonical(definition.ModelTask, gate.Metric)!;
            var value = metrics[name];
            var tooLow = gate.Minimum is { } min && !(value >= min);
            var tooHigh = gate.Maximum is { } max && !(value <= max);
            var shown = Format(value);
            var absolute = gate.Minimum is not null || gate.Maximum is not null;
            var message = !absolute ? $"{name} = {shown}; its bound is against the baseline (mlops report)"
                : tooLow ? $"{name} = {shown} is below the minimum {Format(gate.Minimum!.Value)}"
                : tooHigh ? $"{name} = {shown} is above the maximum {Format(gate.Maximum!.Value)}"
                : $"{name} = {shown} is within [{(gate.Minimum is { } a ? Format(a) : "-inf")}, {(gate.Maximum is { } b ? Format(b) : "inf")}]";
            return new GateVerdict(name, gate.Minimum, gate.Maximum, value, !tooLow && !tooHigh, message, gate.MaxDecrease, gate.MaxIncrease);
        }).ToList();
    }

    public static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
