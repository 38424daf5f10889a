using System.Globalization;
using System.Text;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Training.Sweeps;

namespace MlOps.Ci.Reporting;

/// <summary>
/// The report's Trials table: every trial of the sweep that chose the candidate's parameters, with each metric's mean
/// ± standard deviation over the folds and the time it took; the winner is marked. Every trial is listed, however
/// many: a reviewer should see what was tried, not only what won.
/// </summary>
public static class SweepMarkdown
{
    public static void Append(StringBuilder md, SweepReport? sweep)
    {
        if (sweep is null || sweep.Trials.Count == 0)
            return;
        var parameters = sweep.Trials.SelectMany(t => t.Parameters.Keys).Distinct(StringComparer.Ordinal).ToList();
        // The metric that chose the winner first, then the task's others in their usual order.
        var metrics = sweep.Trials[0].Metrics.Keys.OrderBy(m => m == sweep.Metric ? 0 : 1).ToList();
        md.AppendLine("### Trials").AppendLine();
        md.AppendLine($"{(sweep.Search == SweepReport.RandomSearch ? "Random" : "Grid")} search of {sweep.Trials.Count} trial(s), each scored by {ReportMarkdown.Escape(sweep.Validation)} "
            + $"(never the evaluation data). The winner 🏆 has the {(sweep.HigherIsBetter ? "highest" : "lowest")} mean {sweep.Metric} and trained the candidate on all training rows.");
        md.AppendLine();
        md.AppendLine($"| trial | {string.Join(" | ", parameters.Select(ReportMarkdown.Escape))} | {string.Join(" | ", metrics.Select(m => Header(m, sweep.Metric)))} | seconds |");
        md.AppendLine($"|---:|{string.Concat(parameters.Select(_ => "---:|"))}{string.Concat(metrics.Select(_ => "---:|"))}---:|");
        foreach (var trial in sweep.Trials)
        {
            var winner = trial.Number == sweep.Winner;
            var values = parameters.Select(p => ReportMarkdown.Escape(trial.Parameters.GetValueOrDefault(p) ?? "—"));
            var scores = metrics.Select(m => trial.Metrics.TryGetValue(m, out var s) ? Cell(s, winner && m == sweep.Metric) : "—");
            md.AppendLine($"| {(winner ? "🏆 " : "")}{trial.Number} | {string.Join(" | ", values)} | {string.Join(" | ", scores)} | "
                + $"{trial.Seconds.ToString("0.00", CultureInfo.InvariantCulture)}{(trial.RanIn is null ? "" : "¹")} |");
        }
        var notes = new List<string>();
        if (metrics.Any(m => !Metrics.HigherIsBetter(m)))
            notes.Add("↓ lower is better");
        if (sweep.Trials.Any(t => t.RanIn is not null))
            notes.Add("¹ read from the sweep cache (run by a shard job or an earlier build)");
        if (notes.Count > 0)
            md.AppendLine().AppendLine($"<sub>{string.Join("; ", notes)}.</sub>");
        md.AppendLine();
    }

    private static string Header(string metric, string chosenBy) =>
        $"{(metric == chosenBy ? $"**{metric}**" : metric)}{(Metrics.HigherIsBetter(metric) ? "" : " ↓")}";

    private static string Cell(MetricSummary summary, bool bold)
    {
        var text = summary.StandardDeviation == 0 ? QualityGates.Format(summary.Mean) : $"{QualityGates.Format(summary.Mean)} ± {QualityGates.Format(summary.StandardDeviation)}";
        return bold ? $"**{text}**" : text;
    }
}
