using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Training.Sweeps;

/// <summary>
/// Checks a definition's <c>&lt;Sweep&gt;</c> items and Sweep* properties before any data is read (called from
/// DefinitionChecks), so a typo in a sweep fails in a second instead of after the first trials.
/// </summary>
public static class SweepChecks
{
    public const int MaximumFolds = 20;
    public const double MaximumValidationFraction = 0.5;

    public static void Check(PipelineDefinition definition)
    {
        if (definition.Sweeps.Count == 0)
            return;
        var where = new SourceLocation(definition.ProjectFile);
        // An external command owns its tuning: there is no Options object to apply a trial's values to.
        if (External.ExternalTrainer.Handles(definition))
        {
            throw MlOpsException.Of(DiagnosticCodes.SweepWithExternalTrainer, "<Sweep> items cannot tune an external trainer (Trainer=Command).", where,
                "The command owns its tuning: remove the <Sweep> items and pass its settings through the command.");
        }
        CheckSettings(definition, where);
        var trainer = TrainerCatalog.Find(definition);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var sweep in definition.Sweeps)
        {
            if (!seen.Add(sweep.Name))
                throw MlOpsException.Of(DiagnosticCodes.SweepDeclaredTwice, $"Two <Sweep> items name '{sweep.Name}'.", where, "Merge their values into one item.");
            if (definition.Hyperparameters.Keys.FirstOrDefault(k => k.Equals(sweep.Name, StringComparison.OrdinalIgnoreCase)) is { } fixedName)
            {
                throw MlOpsException.Of(DiagnosticCodes.SweepConflictsWithHyperparameter,
                    $"'{sweep.Name}' is both a <Hyperparameter> (fixed for every trial) and a <Sweep>.", where, $"Remove <Hyperparameter Include=\"{fixedName}\"> or the <Sweep>.");
            }
            var type = HyperparameterBinder.TypeOf(trainer.OptionsType, sweep.Name) ?? throw MlOpsException.Of(DiagnosticCodes.SweepUnknownHyperparameter,
                $"<Sweep Include=\"{sweep.Name}\">: trainer '{trainer.Name}' has no hyperparameter '{sweep.Name}'.", where,
                $"Its hyperparameters are: {string.Join(", ", HyperparameterBinder.NamesOf(trainer.OptionsType))}.");
            CheckValues(sweep, type, where);
        }
    }

    private static void CheckSettings(PipelineDefinition definition, SourceLocation where)
    {
        if (definition.SweepFolds is { } folds && (folds < 2 || folds > MaximumFolds))
            throw Setting($"SweepFolds is {folds}; k-fold cross-validation takes 2 to {MaximumFolds} folds.", where);
        if (definition.SweepValidationFraction is { } fraction && (!double.IsFinite(fraction) || fraction <= 0 || fraction > MaximumValidationFraction))
            throw Setting($"SweepValidationFraction is {fraction}; it takes a share of the training rows above 0 and at most {MaximumValidationFraction}.", where);
        if (definition.SweepFolds is not null && definition.SweepValidationFraction is not null)
            throw Setting("Both SweepFolds and SweepValidationFraction are set.", where);
        if (definition.SweepTrials is < 1)
            throw Setting($"SweepTrials is {definition.SweepTrials}; a sweep runs at least one trial.", where);
        if (definition.SweepMetric is { Length: > 0 } metric && Metrics.Canonical(definition.ModelTask, metric) is null)
        {
            throw MlOpsException.Of(DiagnosticCodes.SweepMetricUnknown, $"SweepMetric '{metric}' is not a metric of {definition.ModelTask}.", where,
                $"Use one of: {string.Join(", ", Metrics.Names[definition.ModelTask])} (default: {Metrics.Primary(definition.ModelTask)}).");
        }
    }

    private static MlOpsException Setting(string message, SourceLocation where) => MlOpsException.Of(DiagnosticCodes.SweepSettingInvalid, message, where,
        "Set either SweepFolds (k-fold cross-validation, default 3) or SweepValidationFraction (one holdout split), and SweepTrials ≥ 1.");

    private static void CheckValues(SweepParameter sweep, Type type, SourceLocation where)
    {
        var values = sweep.Values.Where(v => v.Trim().Length > 0).ToList();
        if (values.Count > 0 && sweep.IsRange)
        {
            throw MlOpsException.Of(DiagnosticCodes.SweepValuesAndRange, $"<Sweep Include=\"{sweep.Name}\"> has both Values and a Minimum/Maximum range.", where,
                "Keep one: Values=\"a;b;c\" for a grid, or Minimum and Maximum for random search.");
        }
        if (values.Count == 0 && !sweep.IsRange)
        {
            throw MlOpsException.Of(DiagnosticCodes.SweepWithoutValues, $"<Sweep Include=\"{sweep.Name}\"> has no Values and no range.", where,
                $"Write Values=\"…;…\" (a grid) or Minimum=\"…\" Maximum=\"…\" (random search).");
        }
        foreach (var value in values.Where(v => !HyperparameterBinder.Converts(v.Trim(), type)))
        {
            var expected = type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type))}" : $"a {type.Name}";
            throw MlOpsException.Of(DiagnosticCodes.SweepValueInvalid, $"<Sweep Include=\"{sweep.Name}\"> value '{value}' is not valid: the option takes {expected}.", where,
                "Numbers use '.' for decimals; separate values with ';'.");
        }
        if (!sweep.IsRange)
            return;
        string? problem = null;
        if (sweep.Minimum is not { } minimum || sweep.Maximum is not { } maximum)
            problem = "a range needs both Minimum and Maximum";
        else if (!double.IsFinite(minimum) || !double.IsFinite(maximum) || minimum >= maximum)
            problem = $"Minimum ({minimum}) must be below Maximum ({maximum})";
        else if (sweep.Scale == SweepScale.Log && minimum <= 0)
            problem = $"Scale=\"Log\" needs Minimum > 0 (it is {minimum})";
        else if (!Enum.IsDefined(sweep.Scale))
            problem = "Scale is Linear or Log";
        else if (!SweepSpace.IsNumber(type))
            problem = $"'{sweep.Name}' takes a {type.Name}, not a number; list its values with Values=\"…\"";
        else if (SweepSpace.IsInteger(type) && (minimum != Math.Floor(minimum) || maximum != Math.Floor(maximum)))
            problem = $"'{sweep.Name}' takes whole numbers, so its bounds must be whole numbers";
        if (problem is not null)
        {
            throw MlOpsException.Of(DiagnosticCodes.SweepRangeInvalid, $"<Sweep Include=\"{sweep.Name}\"> range is not usable: {problem}.", where,
                "Numbers use '.' for decimals, e.g. Minimum=\"0.01\" Maximum=\"0.3\" Scale=\"Log\".");
        }
    }
}
