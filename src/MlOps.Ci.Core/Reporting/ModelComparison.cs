using System.Globalization;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Drift;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Reporting;

/// <summary>The identity of a model in a report.</summary>
public sealed record ModelSummary(string Name, string Version, ModelTask Task, string Fingerprint, string? Commit, string Trainer)
{
    public static ModelSummary Of(ModelCard card) =>
        new(card.Name, card.Version, card.Task, card.Fingerprints.Model, card.Source.Commit, card.Trainer.Name);
}

/// <summary>One gate applied to one metric: absolute bounds (from the build) or a bound on the change against the baseline.</summary>
public sealed record GateCheck(string Kind, bool Passed, string Message)
{
    public const string Absolute = "absolute";
    public const string Regression = "regression";
}

/// <summary>One row of the metrics table: baseline, candidate, change, and the gates on that metric.</summary>
public sealed record MetricComparison(string Metric, double? Baseline, double Candidate, double? Change, bool HigherIsBetter, IReadOnlyList<GateCheck> Gates)
{
    public bool Passed => Gates.All(g => g.Passed);
}

/// <summary>A data file of either model, matched by its project-relative path and role.</summary>
public sealed record DataChange(string Path, DataRole Role, string Change, long? BaselineRows, long? CandidateRows, string? BaselineFingerprint, string? CandidateFingerprint)
{
    public const string Added = "added", Removed = "removed", Changed = "changed", Unchanged = "unchanged";
}

/// <summary>A named value that differs between the models (a schema column, a parameter, a part of the environment); null where absent.</summary>
public sealed record ValueChange(string Name, string? Baseline, string? Candidate);

/// <summary>One feature's permutation importance in both models; <see cref="Baseline"/> is null where the baseline lacks the feature or recorded none.</summary>
public sealed record ImportanceChange(string Feature, double? Baseline, double Candidate);

/// <summary>
/// The candidate's permutation feature importance (drop of <see cref="Metric"/>), largest first, beside the
/// baseline's; <see cref="BaselineRecorded"/> is false for a baseline packaged before importance was recorded.
/// </summary>
public sealed record ImportanceComparison(string Metric, bool BaselineRecorded, IReadOnlyList<ImportanceChange> Features);

/// <summary>
/// What <c>mlops report</c> found comparing a candidate model package with its baseline: the metrics table with gate
/// verdicts, and what changed in the inputs (data, schema, distribution, parameters, environment). Without a baseline
/// (the first model) only the absolute gates apply and <see cref="Notes"/> says so.
/// </summary>
public sealed record ComparisonReport(
    ModelSummary Candidate,
    ModelSummary? Baseline,
    string? BaselineSource,
    IReadOnlyList<MetricComparison> Metrics,
    IReadOnlyList<DataChange> Data,
    IReadOnlyList<ValueChange> Schema,
    IReadOnlyList<ColumnShift> Shift,
    IReadOnlyList<ValueChange> Parameters,
    IReadOnlyList<ValueChange> Environment,
    IReadOnlyList<Diagnostic> Notes)
{
    public bool Passed => Metrics.All(m => m.Passed);

    public IEnumerable<(MetricComparison Metric, GateCheck Gate)> FailedGates =>
        Metrics.SelectMany(m => m.Gates.Where(g => !g.Passed).Select(g => (m, g)));

    public int GateCount => Metrics.Sum(m => m.Gates.Count);

    /// <summary>Null when the candidate has no feature importance (packaged before it was recorded).</summary>
    public ImportanceComparison? Importance { get; init; }

    /// <summary>The hyperparameter sweep that chose the candidate's parameters (its Trials table); null without one.</summary>
    public Training.Sweeps.SweepReport? Sweep { get; init; }

    /// <summary>
    /// How each column's featurization changed (a <c>Feature</c> item added, removed or edited); null when either card
    /// does not record it (packages made before it was recorded, external trainers), as no change can be claimed then.
    /// </summary>
    public IReadOnlyList<ValueChange>? Featurization { get; init; }
}

public static class ModelComparison
{
    /// <summary>Compares <paramref name="candidate"/> with <paramref name="baseline"/> (null for the first model).</summary>
    public static ComparisonReport Compare(ModelPackage candidate, ModelPackage? baseline, string? baselineSource, IReadOnlyList<Diagnostic>? notes = null)
    {
        var card = candidate.Card;
        var baseCard = baseline?.Card;
        if (baseCard is not null && baseCard.Task != card.Task)
        {
            throw MlOpsException.Of(DiagnosticCodes.BaselineIncompatible,
                $"The baseline '{baselineSource}' is a {baseCard.Task} model ({baseCard.Name} {baseCard.Version}); the candidate is {card.Task}.",
                hint: "Compare with a baseline of the same model: check --baseline (or MLOPS_BASELINE) and the registry.");
        }

        return new ComparisonReport(
            ModelSummary.Of(card),
            baseCard is null ? null : ModelSummary.Of(baseCard),
            baselineSource,
            CompareMetrics(card, baseCard),
            baseCard is null ? card.Fingerprints.Data.Select(d => new DataChange(d.Path, d.Role, DataChange.Added, null, d.Rows, null, d.Fingerprint)).ToList()
                : CompareData(baseCard.Fingerprints.Data, card.Fingerprints.Data),
            baseCard is null ? [] : CompareSchema(baseCard.Signature, card.Signature),
            baseline is null ? [] : DistributionShift.Compare(baseline.Profile, candidate.Profile).OrderByDescending(s => s.Psi).ToList(),
            baseCard is null ? [] : CompareParameters(baseCard.Trainer, card.Trainer),
            baseCard is null ? [] : CompareEnvironment(baseCard.Environment, card.Environment),
            notes ?? [])
        {
            Importance = CompareImportance(card, baseCard),
            Sweep = card.Sweep,
            Featurization = baseCard?.Featurization is { } before && card.Featurization is { } after ? CompareFeaturization(before, after) : null,
        };
    }

    private static ImportanceComparison? CompareImportance(ModelCard card, ModelCard? baseCard)
    {
        if (card.FeatureImportance is not { } candidate)
            return null;
        // Drops of different metrics do not compare; a baseline of the same task always measured the same one.
        var baseline = baseCard?.FeatureImportance is { } old && old.Metric == candidate.Metric ? old : null;
        var before = baseline?.Features.ToDictionary(f => f.Feature, f => f.MetricDrop, StringComparer.Ordinal);
        return new ImportanceComparison(candidate.Metric, baseline is not null,
            candidate.Features.Select(f => new ImportanceChange(f.Feature, before?.TryGetValue(f.Feature, out var b) == true ? b : null, f.MetricDrop)).ToList());
    }

    private static List<MetricComparison> CompareMetrics(ModelCard card, ModelCard? baseCard)
    {
        return card.Metrics.Select(metric =>
        {
            double? baseValue = baseCard?.Metrics.TryGetValue(metric.Key, out var b) == true ? b : null;
            double? change = baseValue is { } old ? metric.Value - old : null;
            var gates = new List<GateCheck>();
            foreach (var gate in card.Gates.Where(g => g.Metric == metric.Key))
            {
                if (gate.Minimum is not null || gate.Maximum is not null)
                    gates.Add(new GateCheck(GateCheck.Absolute, gate.Passed, gate.Message));
                if (gate.MaxDecrease is not null || gate.MaxIncrease is not null)
                    gates.Add(RegressionCheck(metric.Key, gate, baseValue, change));
            }
            return new MetricComparison(metric.Key, baseValue, metric.Value, change, Metrics.HigherIsBetter(metric.Key), gates);
        }).ToList();
    }

    /// <summary>A MaxDecrease/MaxIncrease bound on a metric's change from <paramref name="baseValue"/>; also gates live metrics against evaluation (mlops feedback).</summary>
    public static GateCheck RegressionCheck(string metric, GateVerdict gate, double? baseValue, double? change)
    {
        if (baseValue is null || change is not { } delta)
            return new GateCheck(GateCheck.Regression, true, $"{metric}: no baseline to compare with, so only its absolute bounds apply");
        var shownChange = Signed(delta);
        if (gate.MaxDecrease is { } maxDecrease && -delta > maxDecrease + Tolerance)
            return new GateCheck(GateCheck.Regression, false, $"{metric} fell by {Format(-delta)} ({Format(baseValue.Value)} → {Format(baseValue.Value + delta)}), more than the allowed {Format(maxDecrease)}");
        if (gate.MaxIncrease is { } maxIncrease && delta > maxIncrease + Tolerance)
            return new GateCheck(GateCheck.Regression, false, $"{metric} rose by {Format(delta)} ({Format(baseValue.Value)} → {Format(baseValue.Value + delta)}), more than the allowed {Format(maxIncrease)}");
        return new GateCheck(GateCheck.Regression, true, $"{metric} changed by {shownChange}, within the allowed change");
    }

    /// <summary>Metrics are stored as doubles computed from floats: a change at the 12th digit is no regression.</summary>
    private const double Tolerance = 1e-12;

    private static List<DataChange> CompareData(IReadOnlyList<DataFingerprint> baseline, IReadOnlyList<DataFingerprint> candidate)
    {
        var before = baseline.ToDictionary(d => (d.Path, d.Role));
        var after = candidate.ToDictionary(d => (d.Path, d.Role));
        var changes = new List<DataChange>();
        foreach (var file in candidate)
        {
            changes.Add(before.TryGetValue((file.Path, file.Role), out var old)
                ? new DataChange(file.Path, file.Role, old.Fingerprint == file.Fingerprint ? DataChange.Unchanged : DataChange.Changed, old.Rows, file.Rows, old.Fingerprint, file.Fingerprint)
                : new DataChange(file.Path, file.Role, DataChange.Added, null, file.Rows, null, file.Fingerprint));
        }
        changes.AddRange(baseline.Where(old => !after.ContainsKey((old.Path, old.Role)))
            .Select(old => new DataChange(old.Path, old.Role, DataChange.Removed, old.Rows, null, old.Fingerprint, null)));
        return changes;
    }

    private static List<ValueChange> CompareSchema(ModelSignature baseline, ModelSignature candidate)
    {
        static Dictionary<string, string> Columns(ModelSignature signature) =>
            signature.Inputs.ToDictionary(i => i.Name, i => $"{i.Kind?.ToString() ?? i.ElementType}", StringComparer.Ordinal);
        var changes = Differences(Columns(baseline), Columns(candidate));
        if (baseline.LabelColumn != candidate.LabelColumn)
            changes.Add(new ValueChange("label column", baseline.LabelColumn, candidate.LabelColumn));
        var baseClasses = baseline.Classes is null ? null : string.Join(", ", baseline.Classes);
        var candidateClasses = candidate.Classes is null ? null : string.Join(", ", candidate.Classes);
        if (baseClasses != candidateClasses)
            changes.Add(new ValueChange("classes", baseClasses, candidateClasses));
        return changes;
    }

    private static List<ValueChange> CompareParameters(TrainerInfo baseline, TrainerInfo candidate)
    {
        var before = new Dictionary<string, string>(baseline.Parameters, StringComparer.Ordinal) { ["trainer"] = baseline.Name, ["seed"] = Invariant(baseline.Seed) };
        var after = new Dictionary<string, string>(candidate.Parameters, StringComparer.Ordinal) { ["trainer"] = candidate.Name, ["seed"] = Invariant(candidate.Seed) };
        return Differences(before, after);
    }

    /// <summary>Per column, the transforms as the card describes them ("ReplaceMissing(Zero) → Normalize(MinMax)"); a dropped or new column shows as "—".</summary>
    private static List<ValueChange> CompareFeaturization(IReadOnlyList<Training.Features.FeatureDeclaration> baseline, IReadOnlyList<Training.Features.FeatureDeclaration> candidate) =>
        Differences(baseline.ToDictionary(f => f.Column, f => f.Describe(), StringComparer.Ordinal), candidate.ToDictionary(f => f.Column, f => f.Describe(), StringComparer.Ordinal));

    private static List<ValueChange> CompareEnvironment(EnvironmentInfo baseline, EnvironmentInfo candidate)
    {
        static Dictionary<string, string> Parts(EnvironmentInfo e) => new(StringComparer.Ordinal)
        {
            [".NET runtime"] = e.DotnetRuntime,
            ["ML.NET"] = e.MlNetVersion,
            ["ONNX Runtime"] = e.OnnxRuntimeVersion,
            ["MlOps.Ci"] = e.MlOpsVersion,
            ["OS"] = e.OsPlatform,
            ["architecture"] = e.Architecture,
        };
        return Differences(Parts(baseline), Parts(candidate));
    }

    private static List<ValueChange> Differences(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Select(name => new ValueChange(name, before.GetValueOrDefault(name), after.GetValueOrDefault(name)))
            .Where(change => change.Baseline != change.Candidate)
            .ToList();

    public static string Format(double value) => QualityGates.Format(value);

    public static string Signed(double value) => (value >= 0 ? "+" : "−") + Format(Math.Abs(value));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
