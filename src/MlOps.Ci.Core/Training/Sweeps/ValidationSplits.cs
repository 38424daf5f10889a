using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Training.Sweeps;

/// <summary>One split of the training rows: a trial fits on <see cref="Training"/> and is scored on <see cref="HeldOut"/>.</summary>
public sealed record ValidationFold(DataTable Training, DataTable HeldOut, IReadOnlyList<int> HeldOutRows);

/// <summary>
/// Splits the training table (never the evaluation data) into the folds every trial is scored on: the same folds for
/// every trial, so trials differ only in their parameters. Rows are shuffled with the project's seed and, for
/// classification, dealt class by class, so each fold holds every class in about its overall share.
/// </summary>
public static class ValidationSplits
{
    /// <summary>Fewer held-out rows than this make a metric mostly noise.</summary>
    public const int MinimumHeldOutRows = 10;

    public static IReadOnlyList<ValidationFold> Split(DataTable table, ModelTask task, ValidationScheme scheme, int seed, SourceLocation where)
    {
        var random = new Random(seed);
        var groups = GroupsOf(table, task);
        foreach (var group in groups)
            random.Shuffle(group);

        if (scheme.ValidationFraction is { } fraction)
        {
            var heldOut = groups.SelectMany(g => g.Take((int)Math.Round(g.Length * fraction))).Order().ToList();
            if (heldOut.Count < MinimumHeldOutRows || table.RowCount - heldOut.Count < MinimumHeldOutRows)
                throw TooFew($"a validation split of {fraction} of {table.RowCount} training rows holds out {heldOut.Count}", where);
            return [Fold(table, heldOut)];
        }

        var folds = scheme.Folds;
        if (table.RowCount / folds < MinimumHeldOutRows)
            throw TooFew($"{folds} folds of {table.RowCount} training rows hold out {table.RowCount / folds} rows each", where);
        if (task != ModelTask.Regression && groups.FirstOrDefault(g => g.Length < folds) is { } rare)
        {
            throw TooFew($"class '{((TextColumn)table.Label).Values[rare[0]]}' has {rare.Length} training row(s), fewer than the {folds} folds, so some folds could not score it",
                where);
        }
        var assignment = new int[table.RowCount];
        var dealt = 0;
        foreach (var group in groups)
        {
            foreach (var row in group)
                assignment[row] = dealt++ % folds;
        }
        return Enumerable.Range(0, folds).Select(k => Fold(table, Enumerable.Range(0, table.RowCount).Where(r => assignment[r] == k).ToList())).ToList();
    }

    private static ValidationFold Fold(DataTable table, IReadOnlyList<int> heldOut)
    {
        var held = new HashSet<int>(heldOut);
        var training = Enumerable.Range(0, table.RowCount).Where(r => !held.Contains(r)).ToList();
        return new ValidationFold(table.Select(training), table.Select(heldOut), heldOut);
    }

    /// <summary>Row indexes by class in ordinal class order (classification), or all rows as one group (regression).</summary>
    private static List<int[]> GroupsOf(DataTable table, ModelTask task)
    {
        if (task == ModelTask.Regression || table.Label is not TextColumn labels)
            return [Enumerable.Range(0, table.RowCount).ToArray()];
        return Enumerable.Range(0, table.RowCount).GroupBy(r => labels.Values[r], StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.ToArray()).ToList();
    }

    private static MlOpsException TooFew(string problem, SourceLocation where) => MlOpsException.Of(DiagnosticCodes.SweepTooFewRows,
        $"Too few training rows for the sweep's validation: {problem}; each needs at least {MinimumHeldOutRows}.", where,
        "Lower SweepFolds, raise SweepValidationFraction, or add training rows.");
}
