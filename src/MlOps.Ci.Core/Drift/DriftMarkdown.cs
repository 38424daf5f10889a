using System.Globalization;
using System.Text;
using MlOps.Ci.Data;

namespace MlOps.Ci.Drift;

/// <summary>The drift report as markdown, for a CI run's summary page (GitHub step summary, Azure DevOps summary).</summary>
public static class DriftMarkdown
{
    public static string Render(DriftReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        var verdict = report.Retrain ? "🔴 retraining advised" : report.Drifted ? "🟠 drift below the retraining bound" : "🟢 no drift";
        text.Append(CultureInfo.InvariantCulture, $"## Drift of {report.Model} {report.Version}: {verdict}\n\n");
        text.Append(report.Summary).Append("\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Live data: `{Path.GetFileName(report.Input)}` ({report.RowsRead:N0} rows read");
        if (report.RowsSkipped > 0)
            text.Append(CultureInfo.InvariantCulture, $", {report.RowsSkipped:N0} of other versions skipped");
        if (report.LinesInvalid > 0)
            text.Append(CultureInfo.InvariantCulture, $", {report.LinesInvalid:N0} unreadable lines left out");
        text.Append(')');
        if (report.Window is { } window)
            text.Append(CultureInfo.InvariantCulture, $", {window.First:u} – {window.Last:u}");
        text.Append(".\n\n");

        text.Append("| feature | kind | PSI | KS | χ² p | missing (train → live) | out of range / unseen | drifted |\n");
        text.Append("|---|---|---:|---:|---:|---:|---:|---|\n");
        foreach (var feature in report.Features.OrderByDescending(f => f.Drifted).ThenByDescending(f => f.Psi))
        {
            var outside = feature.OutOfRangeShare ?? feature.UnseenCategoryShare;
            text.Append(CultureInfo.InvariantCulture,
                $"| {Escape(feature.Column)} | {Kind(feature.Kind)} | {feature.Psi:0.000} | {Optional(feature.Ks)} | {PValue(feature.PValue)} | " +
                $"{Percent(feature.MissingRate.Training)} → {Percent(feature.MissingRate.Live)} | {(outside is { } share ? Percent(share) : "–")} | " +
                $"{(feature.Drifted ? "**yes**: " + Escape(string.Join("; ", feature.Reasons)) : "no")} |\n");
        }
        if (report.Prediction is { } prediction)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"\nPredictions (`{Escape(prediction.Column)}`): PSI {prediction.Psi:0.000}{(prediction.Ks is { } ks ? $", KS {ks:0.000}" : "")}: " +
                $"{(prediction.Drifted ? "**drifted**: " + Escape(string.Join("; ", prediction.Reasons)) : "no drift")}.\n");
        }
        else if (report.PredictionNote is { } note)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nPredictions: {Escape(note)}.\n");
        }
        if (report.Diagnostics.Count > 0)
        {
            text.Append('\n');
            foreach (var diagnostic in report.Diagnostics)
                text.Append(CultureInfo.InvariantCulture, $"> {diagnostic.Code}: {Escape(diagnostic.Message)}\n");
        }
        return text.ToString();
    }

    private static string Kind(ColumnKind kind) => kind.ToString().ToLowerInvariant();

    private static string Optional(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    private static string PValue(double? value) => value is { } v ? v.ToString(v < 0.001 ? "0.0E+0" : "0.000", CultureInfo.InvariantCulture) : "–";

    private static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
