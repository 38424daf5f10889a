using System.Text.Json;
using MlOps.Ci.Drift;

namespace MlOps.Ci.Core.Tests.Drift;

/// <summary>
/// The HTML drift report, opened in a real headless Chromium: it renders without a script error or a request for
/// anything outside the file, every feature has its row, and every drifted feature its chart of bars.
/// </summary>
public sealed class DriftHtmlReportSpecs
{
    private static readonly List<DriftRow> TrainingRows = DriftFixture.Sample(5000, seed: 1);

    /// <summary>What the page shows, gathered in the browser after it loaded.</summary>
    private const string PageFacts = """
        ({
          title: document.title,
          scripts: document.scripts.length,
          resources: performance.getEntriesByType('resource').map(r => r.name),
          rows: [...document.querySelectorAll('#features tbody tr')].map(r => ({ feature: r.dataset.feature, cells: r.cells.length, drifted: r.classList.contains('drifted') })),
          charts: [...document.querySelectorAll('figure[data-feature]')].map(f => {
            const svg = f.querySelector('svg');
            const bars = svg ? [...svg.querySelectorAll('rect.bar')] : [];
            return {
              feature: f.dataset.feature,
              svgWidth: svg ? svg.getBoundingClientRect().width : 0,
              training: bars.filter(b => b.classList.contains('training')).length,
              live: bars.filter(b => b.classList.contains('live')).length,
              tallestLive: Math.max(0, ...bars.filter(b => b.classList.contains('live')).map(b => b.getBBox().height)),
              paintedLive: bars.filter(b => b.classList.contains('live')).every(b => getComputedStyle(b).fill !== 'none' && b.getBoundingClientRect().width > 0),
            };
          }),
        })
        """;

    [SkippableFact]
    public async Task A_report_with_drifted_features_renders_a_chart_per_drifted_feature_and_a_row_per_feature_without_errors()
    {
        var chromium = RequireChromium();
        using var fixture = new DriftFixture(TrainingRows);
        var log = fixture.WriteLog("requests.jsonl", DriftFixture.Sample(20_000, seed: 3, tenureMean: 42, monthToMonthShare: 0.2));
        var report = fixture.Analyze(log);
        var page = fixture.Folder.PathOf("report/drift.html");

        DriftHtmlReport.Write(report, page);
        await using var browser = await HeadlessChromium.StartAsync(chromium);
        await browser.OpenAsync(page);
        var facts = await browser.EvaluateAsync(PageFacts);

        browser.Errors.ShouldBeEmpty();
        facts.GetProperty("scripts").GetInt32().ShouldBe(0);
        facts.GetProperty("resources").GetArrayLength().ShouldBe(0);
        facts.GetProperty("title").GetString()!.ShouldContain("churn 1.2.0");
        var rows = facts.GetProperty("rows").EnumerateArray().ToList();
        rows.Select(r => r.GetProperty("feature").GetString()).ShouldBe(["Tenure", "Contract", "Senior"], ignoreOrder: true);
        rows.ShouldAllBe(r => r.GetProperty("cells").GetInt32() == 10);
        var drifted = report.DriftedFeatures.ToList();
        drifted.Select(f => f.Column).ShouldBe(["Tenure", "Contract"], ignoreOrder: true);
        rows.Where(r => r.GetProperty("drifted").GetBoolean()).Select(r => r.GetProperty("feature").GetString()).ShouldBe(["Tenure", "Contract"], ignoreOrder: true);
        var charts = facts.GetProperty("charts").EnumerateArray().ToDictionary(c => c.GetProperty("feature").GetString()!);
        charts.Keys.ShouldBe(["Tenure", "Contract"], ignoreOrder: true);
        foreach (var feature in drifted)
        {
            var chart = charts[feature.Column];
            chart.GetProperty("svgWidth").GetDouble().ShouldBeGreaterThan(0);
            chart.GetProperty("training").GetInt32().ShouldBe(feature.Bins.Labels.Count);
            chart.GetProperty("live").GetInt32().ShouldBe(feature.Bins.Labels.Count);
            chart.GetProperty("tallestLive").GetDouble().ShouldBeGreaterThan(50);
            chart.GetProperty("paintedLive").GetBoolean().ShouldBeTrue();
        }
    }

    [SkippableFact]
    public async Task A_report_without_drift_has_its_table_and_no_chart()
    {
        var chromium = RequireChromium();
        using var fixture = new DriftFixture(TrainingRows);
        var report = fixture.Analyze(fixture.WriteLog("requests.jsonl", DriftFixture.Sample(20_000, seed: 2)));
        var page = fixture.Folder.PathOf("drift.html");

        DriftHtmlReport.Write(report, page);
        await using var browser = await HeadlessChromium.StartAsync(chromium);
        await browser.OpenAsync(page);
        var facts = await browser.EvaluateAsync(PageFacts);

        browser.Errors.ShouldBeEmpty();
        facts.GetProperty("rows").GetArrayLength().ShouldBe(3);
        facts.GetProperty("charts").GetArrayLength().ShouldBe(0);
        (await browser.EvaluateAsync("document.getElementById('verdict').textContent")).GetString().ShouldBe("no drift");
    }

    [Fact]
    public void Names_from_the_data_are_escaped_and_the_page_loads_nothing_from_elsewhere()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var report = fixture.Analyze(fixture.WriteLog("requests.jsonl", DriftFixture.Sample(2_000, seed: 3, tenureMean: 42)));
        var hostile = report with { Model = "<script>alert(1)</script>", Features = [.. report.Features.Select(f => f with { Column = f.Column + "<b>&\"" })] };

        var html = DriftHtmlReport.Render(hostile);

        html.ShouldNotContain("<script");
        html.ShouldContain("&lt;script&gt;alert(1)&lt;/script&gt;");
        html.ShouldContain("Tenure&lt;b&gt;&amp;&quot;");
        html.ShouldNotContain("src=");
        html.ShouldNotContain("href=");
        html.ShouldNotContain("@import");
    }

    /// <summary>The browser, or a skip with the reason where it is not installed; under CI it must be there (build/build.sh installs it).</summary>
    private static string RequireChromium()
    {
        var chromium = HeadlessChromium.Executable;
        if (chromium is null && Environment.GetEnvironmentVariable("CI") == "true")
            throw new InvalidOperationException("CI=true but there is no chromium on PATH: build/build.sh prerequisites installs Debian's chromium.");
        Skip.If(chromium is null, "No chromium on PATH (install Debian's chromium, or set CHROMIUM): the HTML report is not opened in a browser.");
        return chromium!;
    }
}
