using MlOps.Ci.Automation;
using MlOps.Ci.Evaluation;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Cli.Commands;

/// <summary>What a build-side run ends with: the steps it ran and, when it got that far, the package and its card.</summary>
internal sealed record RunResult(bool Succeeded, IReadOnlyList<PipelineStep> Steps, string? PackagePath, ModelCard? Card);

/// <summary>
/// The step outputs (<see cref="StepOutputs"/>) of the verbs' results, in one place so every verb names them alike and
/// the GitHub Action and the Azure DevOps task can rely on them.
/// </summary>
internal static class StepOutputSelectors
{
    public static IEnumerable<KeyValuePair<string, string>> Of(object result) => result switch
    {
        RunResult { Card: { } card, PackagePath: { } path } => OfCard(card, path),
        ModelCard card => OfCard(card, null),
        EvaluationReport evaluation => OfEvaluation(evaluation),
        _ => [],
    };

    public static IEnumerable<KeyValuePair<string, string>> OfCard(ModelCard card, string? packagePath)
    {
        yield return new(StepOutputs.ModelVersion, card.Version);
        yield return new(StepOutputs.Fingerprint, card.Fingerprints.Model);
        if (packagePath is not null)
            yield return new(StepOutputs.PackagePath, packagePath);
        yield return new(StepOutputs.MetricsJson, MlOpsJson.SerializeCompact(card.Metrics));
        yield return new(StepOutputs.GatePassed, card.Gates.All(g => g.Passed) ? "true" : "false");
    }

    public static IEnumerable<KeyValuePair<string, string>> OfEvaluation(EvaluationReport report)
    {
        yield return new(StepOutputs.MetricsJson, MlOpsJson.SerializeCompact(report.Metrics));
        yield return new(StepOutputs.GatePassed, report.Passed ? "true" : "false");
    }
}
