using System.Globalization;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Evaluation;

public sealed record GateVerdict(string Metric, double? Minimum, double? Maximum, double Value, bool Passed, string Message);

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
            if (gate.Minimum is null && gate.Maximum is null)
            {
                throw MlOpsException.Of(DiagnosticCodes.GateWithoutBound, $"QualityGate '{gate.Metric}' has neither Minimum nor Maximum.", where,
                    $"Add Minimum=\"…\" or Maximum=\"…\" to <QualityGate Include=\"{gate.Metric}\" />.");
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
            var message = tooLow ? $"{name} = {shown} is below the minimum {Format(gate.Minimum!.Value)}"
                : tooHigh ? $"{name} = {shown} is above the maximum {Format(gate.Maximum!.Value)}"
                : $"{name} = {shown} is within [{(gate.Minimum is { } a ? Format(a) : "-inf")}, {(gate.Maximum is { } b ? Format(b) : "inf")}]";
            return new GateVerdict(name, gate.Minimum, gate.Maximum, value, !tooLow && !tooHigh, message);
        }).ToList();
    }

    public static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
