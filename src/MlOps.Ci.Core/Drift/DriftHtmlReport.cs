using System.Globalization;
using System.Net;
using System.Text;
using MlOps.Ci.Data;
using MlOps.Ci.IO;

namespace MlOps.Ci.Drift;

/// <summary>
/// The drift report as one self-contained HTML page (<c>mlops drift --html</c>): the verdict, a table of every feature
/// with its statistics and verdict, and for each drifted feature an inline SVG chart of training beside live shares
/// over the training bins or categories. No script, font, image or stylesheet is loaded from anywhere: the file opens
/// the same from a CI artifact, a mail attachment or a machine without a network.
/// </summary>
public static class DriftHtmlReport
{
    private const int ChartHeight = 180;
    private const int BarGroupWidth = 34;
    private const int AxisLeft = 44;
    private const int AxisBottom = 70;
    private const int ChartTop = 12;

    /// <summary>Writes the page atomically: a reader never sees half a report.</summary>
    public static void Write(DriftReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.WriteAllText(path, Render(report));
    }

    public static string Render(DriftReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder();
        var verdict = report.Retrain ? "retraining advised" : report.Drifted ? "drift below the retraining bound" : "no drift";
        var verdictClass = report.Retrain ? "bad" : report.Drifted ? "warn" : "good";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<title>Drift of {E(report.Model)} {E(report.Version)}: {verdict}</title>\n");
        html.Append("<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<h1>Drift of {E(report.Model)} {E(report.Version)}: <span class=\"verdict {verdictClass}\" id=\"verdict\">{verdict}</span></h1>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p id=\"summary\">{E(report.Summary)}</p>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"input\">Live data: <code>{E(Path.GetFileName(report.Input))}</code> ({report.RowsRead:N0} rows read");
        if (report.RowsSkipped > 0)
            html.Append(CultureInfo.InvariantCulture, $", {report.RowsSkipped:N0} of other versions skipped");
        if (report.LinesInvalid > 0)
            html.Append(CultureInfo.InvariantCulture, $", {report.LinesInvalid:N0} unreadable lines left out");
        if (report.LastLineTruncated)
            html.Append(", the last line incomplete");
        html.Append(')');
        if (report.Window is { } window)
            html.Append(CultureInfo.InvariantCulture, $", {window.First:u} – {window.Last:u}");
        html.Append(".</p>\n");

        FeatureTable(html, report);
        if (report.Prediction is null && report.PredictionNote is { } note)
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"prediction-note\" id=\"prediction-note\">Predictions: {E(note)}.</p>\n");
        if (report.Diagnostics.Count > 0)
        {
            html.Append("<ul class=\"diagnostics\">\n");
            foreach (var diagnostic in report.Diagnostics)
                html.Append(CultureInfo.InvariantCulture, $"<li><code>{E(diagnostic.Code)}</code> {E(diagnostic.Message)}</li>\n");
            html.Append("</ul>\n");
        }

        var drifted = report.DriftedFeatures.ToList();
        if (report.Prediction is { Drifted: true } prediction)
            drifted.Add(prediction);
        if (drifted.Count > 0)
        {
            html.Append("<h2>Drifted features</h2>\n");
            foreach (var feature in drifted)
                Chart(html, feature);
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void FeatureTable(StringBuilder html, DriftReport report)
    {
        html.Append("<table id=\"features\">\n<thead><tr><th>feature</th><th>kind</th><th>rows</th><th>PSI</th><th>KS</th><th>χ²</th><th>χ² p</th>")
            .Append("<th>missing (training → live)</th><th>out of range / unseen</th><th>verdict</th></tr></thead>\n<tbody>\n");
        var rows = report.Features.OrderByDescending(f => f.Drifted).ThenByDescending(f => f.Psi).ToList();
        if (report.Prediction is { } prediction)
            rows.Add(prediction);
        foreach (var feature in rows)
        {
            var outside = feature.OutOfRangeShare ?? feature.UnseenCategoryShare;
            var isPrediction = ReferenceEquals(feature, report.Prediction);
            html.Append(CultureInfo.InvariantCulture, $"<tr data-feature=\"{E(feature.Column)}\" class=\"{(feature.Drifted ? "drifted" : "stable")}{(isPrediction ? " prediction" : "")}\">")
                .Append(CultureInfo.InvariantCulture, $"<th scope=\"row\">{E(feature.Column)}{(isPrediction ? " <small>(prediction)</small>" : "")}</th>")
                .Append(CultureInfo.InvariantCulture, $"<td>{feature.Kind.ToString().ToLowerInvariant()}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{feature.Rows:N0}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{Number(feature.Psi)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{Optional(feature.Ks)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{Optional(feature.ChiSquare)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{PValue(feature.PValue)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{Percent(feature.MissingRate.Training)} → {Percent(feature.MissingRate.Live)}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{(outside is { } share ? Percent(share) : "–")}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{(feature.Drifted ? "<strong>drifted</strong>: " + E(string.Join("; ", feature.Reasons)) : "stable")}</td>")
                .Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }

    /// <summary>Grouped bars, training then live, per bin; the y axis runs to the largest share so small bins stay visible.</summary>
    private static void Chart(StringBuilder html, FeatureDrift feature)
    {
        var bins = feature.Bins;
        var count = Math.Min(bins.Labels.Count, Math.Min(bins.Training.Count, bins.Live.Count));
        var top = Math.Max(1e-9, Enumerable.Range(0, count).Select(i => Math.Max(Share(bins.Training[i]), Share(bins.Live[i]))).DefaultIfEmpty(0).Max());
        var width = AxisLeft + Math.Max(count, 1) * BarGroupWidth + 10;
        var height = ChartTop + ChartHeight + AxisBottom;
        var baseline = ChartTop + ChartHeight;
        html.Append(CultureInfo.InvariantCulture, $"<figure data-feature=\"{E(feature.Column)}\">\n<figcaption><strong>{E(feature.Column)}</strong>: PSI {Number(feature.Psi)}")
            .Append(feature.Ks is { } ks ? $", KS {Number(ks)}" : "")
            .Append(CultureInfo.InvariantCulture, $" — {E(string.Join("; ", feature.Reasons))}</figcaption>\n");
        html.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"Training and live shares of {E(feature.Column)}\">\n");
        // Gridlines at quarters of the largest share, labelled as percentages.
        for (var q = 0; q <= 4; q++)
        {
            var y = baseline - ChartHeight * q / 4.0;
            html.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{AxisLeft}\" y1=\"{F(y)}\" x2=\"{width - 10}\" y2=\"{F(y)}\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{AxisLeft - 4}\" y=\"{F(y + 3)}\" text-anchor=\"end\">{Percent(top * q / 4)}</text>\n");
        }
        var barWidth = (BarGroupWidth - 8) / 2.0;
        for (var i = 0; i < count; i++)
        {
            var x = AxisLeft + i * BarGroupWidth + 4;
            Bar(html, "training", x, barWidth, Share(bins.Training[i]), top, baseline, bins.Labels[i]);
            Bar(html, "live", x + barWidth, barWidth, Share(bins.Live[i]), top, baseline, bins.Labels[i]);
            var labelX = x + barWidth;
            html.Append(CultureInfo.InvariantCulture,
                $"<text class=\"bin\" x=\"{F(labelX)}\" y=\"{baseline + 12}\" text-anchor=\"end\" transform=\"rotate(-40 {F(labelX)} {baseline + 12})\">{E(Shorten(bins.Labels[i]))}</text>\n");
        }
        html.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{AxisLeft}\" y1=\"{baseline}\" x2=\"{width - 10}\" y2=\"{baseline}\"/>\n");
        html.Append("</svg>\n<p class=\"legend\"><span class=\"swatch training\"></span>training <span class=\"swatch live\"></span>live</p>\n</figure>\n");
    }

    private static void Bar(StringBuilder html, string series, double x, double width, double share, double top, int baseline, string label)
    {
        // A share of zero still gets a hairline, so an empty live bin reads as "none" rather than as a missing bar.
        var height = Math.Max(share / top * ChartHeight, 0.5);
        html.Append(CultureInfo.InvariantCulture,
            $"<rect class=\"bar {series}\" x=\"{F(x)}\" y=\"{F(baseline - height)}\" width=\"{F(width)}\" height=\"{F(height)}\"><title>{E(label)}: {series} {Percent(share)}</title></rect>\n");
    }

    private static double Share(double value) => double.IsFinite(value) && value > 0 ? value : 0;

    private static string Shorten(string label) => label.Length <= 18 ? label : label[..17] + "…";

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string F(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Number(double value) => double.IsFinite(value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    private static string Optional(double? value) => value is { } v ? Number(v) : "–";

    private static string PValue(double? value) => value is { } v && double.IsFinite(v) ? v.ToString(v < 0.001 ? "0.0E+0" : "0.000", CultureInfo.InvariantCulture) : "–";

    private static string Percent(double share) => double.IsFinite(share) ? (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%" : "–";

    private const string Style = """
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem; color: #1f2328; max-width: 1200px; }
        h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
        .verdict { padding: 0 .4em; border-radius: 4px; } .good { background: #dafbe1; } .warn { background: #fff8c5; } .bad { background: #ffebe9; }
        table { border-collapse: collapse; margin: 1rem 0; } th, td { border: 1px solid #d0d7de; padding: .3em .6em; text-align: left; vertical-align: top; }
        thead th { background: #f6f8fa; } td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        tr.drifted th, tr.drifted td { background: #fff5f5; }
        figure { margin: 1.5rem 0; } figcaption { margin-bottom: .4rem; }
        svg { display: block; overflow: visible; } .bar.training { fill: #8c959f; } .bar.live { fill: #cf222e; }
        .grid { stroke: #eaeef2; } .axis { stroke: #57606a; } .tick, .bin { font-size: 10px; fill: #57606a; }
        .legend { font-size: 12px; } .swatch { display: inline-block; width: .8em; height: .8em; margin: 0 .3em 0 .8em; vertical-align: middle; }
        .swatch.training { background: #8c959f; } .swatch.live { background: #cf222e; }
        .diagnostics code, .input code { background: #f6f8fa; padding: 0 .2em; }

        """;
}
