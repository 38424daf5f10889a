using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Training.Sweeps;

/// <summary>
/// Runs a sweep's trials — each fitted on every fold of the training rows and scored on the rows it did not see —
/// concurrently up to <paramref name="parallelism"/> fits at once (each fit is single-threaded and seeded, so results do
/// not depend on how many run beside it). A trial already in the cache (another shard's, or an earlier build's) is read,
/// not run. Every finished trial is stored as it finishes, so a build killed half-way keeps what it completed.
/// </summary>
public sealed class SweepRunner(ILogger logger, TrialResultStore? store = null, int? parallelism = null)
{
    private readonly int _parallelism = parallelism ?? Environment.ProcessorCount;

    /// <summary>
    /// Runs (or reads) every trial and picks the winner by the sweep's metric. <c>trainingTable</c> is read only if a
    /// trial has to run; the caller trains the winner from the same table.
    /// </summary>
    public SweepReport Run(PipelineDefinition definition, ValidationReport validation, Lazy<DataTable>? trainingTable = null)
    {
        var clock = Stopwatch.StartNew();
        var settings = SweepSettings.Of(definition);
        var plan = SweepSpace.Trials(definition);
        var trials = RunTrials(definition, validation, settings, plan, "Sweep", trainingTable);
        var winner = trials.OrderBy(t => Rank(t, settings)).ThenBy(t => t.Number).First();
        var report = new SweepReport(definition.Sweeps.Any(s => s.IsRange) ? SweepReport.RandomSearch : SweepReport.GridSearch, settings.Metric,
            settings.HigherIsBetter, settings.Validation.ToString(), trials, winner.Number, clock.Elapsed.TotalSeconds);
        logger.LogInformation("Sweep winner: trial {Number} ({Parameters}) with {Metric} {Value} over {Trials} trial(s) in {Seconds:0.00} s; training the model with it.",
            winner.Number, SweepTrial.Describe(winner.Parameters), settings.Metric, Format(winner.Metrics[settings.Metric]), trials.Count, report.Seconds);
        return report;
    }

    /// <summary>Runs this shard's share of the trials and stores them in the cache for the merge job; picks no winner.</summary>
    public IReadOnlyList<TrialReport> RunShard(PipelineDefinition definition, ValidationReport validation, SweepShard shard)
    {
        var settings = SweepSettings.Of(definition);
        var plan = SweepSpace.Trials(definition);
        return RunTrials(definition, validation, settings, plan.Where(shard.Owns).ToList(), $"Sweep shard {shard} ({plan.Count} trial(s) in all)", null);
    }

    private List<TrialReport> RunTrials(PipelineDefinition definition, ValidationReport validation, SweepSettings settings, IReadOnlyList<SweepTrial> trials, string title,
        Lazy<DataTable>? trainingTable)
    {
        var where = new SourceLocation(definition.ProjectFile);
        var inputs = validation.Inputs ?? throw MlOpsException.Of(DiagnosticCodes.StepInputMissing, "validation.json has no input fingerprints.", where,
            "Run the ValidateData target again.");
        // Hashed once for every key: the schema file is part of each trial's model definition.
        var schema = definition.SchemaFile is { } file && File.Exists(file) ? ContentHash.OfFile(file) : null;
        var keys = trials.ToDictionary(t => t.Number, t => TrialKeys.For(definition, schema, inputs, t, settings.Validation));
        var reports = new Dictionary<int, TrialReport>();
        foreach (var trial in trials)
        {
            if (store?.TryReadAsync(definition.ModelName, keys[trial.Number]).GetAwaiter().GetResult() is not ({ } result, var source))
                continue;
            reports[trial.Number] = ReportOf(trial, result, source);
            logger.LogInformation("Sweep trial {Number} ({Parameters}): {Metric} {Value}, read from {Source}.", trial.Number, trial.Describe(), settings.Metric,
                Format(reports[trial.Number].Metrics[settings.Metric]), source);
        }
        var missing = trials.Where(t => !reports.ContainsKey(t.Number)).ToList();
        logger.LogInformation("{Title}: {Trials} trial(s), {Validation}, by {Metric}; {Cached} read from the cache, running {Missing}{List} with up to {Parallelism} fit(s) at once.",
            title, trials.Count, settings.Validation, settings.Metric, reports.Count, missing.Count,
            reports.Count > 0 && missing.Count > 0 ? $" (trials {string.Join(", ", missing.Select(t => t.Number))})" : "", _parallelism);
        if (missing.Count > 0)
        {
            var table = (trainingTable ?? new Lazy<DataTable>(() => validation.LoadTable(DataRole.Training))).Value;
            var folds = ValidationSplits.Split(table, definition.ModelTask, settings.Validation, definition.Seed, where);
            foreach (var report in Execute(definition, validation, settings, missing, keys, folds))
                reports[report.Number] = report;
        }
        return trials.Select(t => reports[t.Number]).ToList();
    }

    /// <summary>Every (trial, fold) fit as one unit of work: finer than whole trials, so the last trials do not leave cores idle.</summary>
    private List<TrialReport> Execute(PipelineDefinition definition, ValidationReport validation, SweepSettings settings, IReadOnlyList<SweepTrial> trials,
        IReadOnlyDictionary<int, string> keys, IReadOnlyList<ValidationFold> folds)
    {
        var progress = trials.ToDictionary(t => t.Number, _ => new TrialProgress(folds.Count));
        var finished = new List<TrialReport>();
        var units = trials.SelectMany(t => Enumerable.Range(0, folds.Count).Select(f => (Trial: t, Fold: f))).ToList();
        try
        {
            Parallel.ForEach(units, new ParallelOptions { MaxDegreeOfParallelism = _parallelism }, unit =>
            {
                var (trial, fold) = unit;
                var clock = Stopwatch.StartNew();
                IReadOnlyDictionary<string, double> metrics;
                try
                {
                    metrics = TrialScorer.Score(SweepSpace.Apply(definition, trial.Parameters), validation, folds[fold]);
                }
                catch (MlOpsException exception)
                {
                    throw new MlOpsException(exception.Diagnostics.Select(d => d with { Message = $"Sweep trial {trial.Number} ({trial.Describe()}) failed: {d.Message}" }).ToList(),
                        exception);
                }
                var state = progress[trial.Number];
                if (!state.Complete(fold, metrics, clock.Elapsed.TotalSeconds, out var foldMetrics, out var seconds))
                    return;
                var result = new TrialResult(keys[trial.Number], trial.Parameters, foldMetrics, seconds);
                store?.StoreAsync(definition.ModelName, result).GetAwaiter().GetResult();
                var report = ReportOf(trial, result, null);
                lock (finished)
                    finished.Add(report);
                logger.LogInformation("Sweep trial {Number} ({Parameters}): {Metric} {Value} in {Seconds:0.00} s ({Done} of {Total} run).", trial.Number, trial.Describe(),
                    settings.Metric, Format(report.Metrics[settings.Metric]), seconds, finished.Count, trials.Count);
            });
        }
        catch (AggregateException aggregate) when (aggregate.InnerExceptions.OfType<MlOpsException>().FirstOrDefault() is { } first)
        {
            throw first;
        }
        return finished;
    }

    private static TrialReport ReportOf(SweepTrial trial, TrialResult result, string? source)
    {
        var names = result.FoldMetrics[0].Keys;
        var metrics = names.ToDictionary(n => n, n => MetricSummary.Of(result.FoldMetrics.Select(f => f[n]).ToList()), StringComparer.Ordinal);
        return new TrialReport(trial.Number, trial.Parameters, metrics, result.Seconds, source);
    }

    /// <summary>Smaller ranks first: the best mean of the sweep's metric; a metric that could not be computed (NaN) ranks last.</summary>
    private static double Rank(TrialReport trial, SweepSettings settings)
    {
        var mean = trial.Metrics[settings.Metric].Mean;
        return double.IsNaN(mean) ? double.PositiveInfinity : settings.HigherIsBetter ? -mean : mean;
    }

    private static string Format(MetricSummary metric) =>
        metric.StandardDeviation == 0 ? QualityGates.Format(metric.Mean) : $"{QualityGates.Format(metric.Mean)} ± {QualityGates.Format(metric.StandardDeviation)}";

    /// <summary>Collects one trial's folds as they finish on different threads; the last one to finish completes the trial.</summary>
    private sealed class TrialProgress(int folds)
    {
        private readonly IReadOnlyDictionary<string, double>[] _metrics = new IReadOnlyDictionary<string, double>[folds];
        private double _seconds;
        private int _done;

        public bool Complete(int fold, IReadOnlyDictionary<string, double> metrics, double seconds,
            out IReadOnlyList<IReadOnlyDictionary<string, double>> all, out double total)
        {
            lock (_metrics)
            {
                _metrics[fold] = metrics;
                _seconds += seconds;
                _done++;
                all = _metrics;
                total = _seconds;
                return _done == folds;
            }
        }
    }
}
