using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MlOps.Ci.Testing;

namespace MlOps.Ci.GitHub.Tests;

/// <summary>
/// mlops feedback as a GitHub Actions step, with real parts only: the real CLI serves a real churn package (its AUC gate
/// has MaxDecrease 0.005), the sample's held-out rows go through /predict under known request ids, and the labels file
/// holds their ground truth. True labels keep retrain=false; labels that contradict a third of the rows decay the live
/// AUC, and the step exits 1 with retrain=true and the decay in the step summary.
/// </summary>
public sealed class FeedbackCliSpecs(ChurnPackages packages) : IClassFixture<ChurnPackages>, IDisposable
{
    private const int RowsPerRequest = 25;
    private readonly TempFolder _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task True_labels_keep_the_live_metrics_within_bounds_and_contradicting_labels_advise_retraining()
    {
        var (log, truth) = await ServeAsync();

        var kept = await FeedbackAsync(log, Labels("true.csv", truth, flip: _ => false), "true");
        var decayed = await FeedbackAsync(log, Labels("contradicting.csv", truth, flip: i => i % 3 == 0), "contradicting");

        kept.Result.ExitCode.ShouldBe(0, kept.Result.ToString());
        kept.Outputs.ShouldContain("retrain=false\n");
        decayed.Result.ExitCode.ShouldBe(1, decayed.Result.ToString());
        decayed.Outputs.ShouldContain("retrain=true\n");
        decayed.Result.StandardOutput.ShouldContain("::error file=");
        decayed.Result.StandardOutput.ShouldContain("MLOPS1163");
        decayed.Summary.ShouldContain("AUC fell by");

        var json = await MlopsTool.RunAsync(new Dictionary<string, string>(), "feedback", "--package", packages.Baseline, "--log", log,
            "--labels", _work.PathOf("true.csv"), "--json");
        var report = JsonDocument.Parse(json.StandardOutput).RootElement;
        report.GetProperty("join").GetProperty("matched").GetInt64().ShouldBe(truth.Count);
        var auc = report.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == "AUC");
        auc.GetProperty("candidate").GetDouble().ShouldBe(auc.GetProperty("baseline").GetDouble(), 1e-6);
    }

    [Fact]
    public async Task Drift_writes_its_html_report_where_html_says()
    {
        var (log, _) = await ServeAsync();
        var page = _work.PathOf("reports/drift.html");

        var drift = await MlopsTool.RunAsync(new Dictionary<string, string>(), "drift", "--package", packages.Baseline, "--input", log, "--html", page);

        drift.ExitCode.ShouldBe(0, drift.ToString());
        var html = File.ReadAllText(page);
        html.ShouldStartWith("<!DOCTYPE html>");
        html.ShouldContain("data-feature=\"Tenure\"");
    }

    /// <summary>Serves the baseline, sends the package's evaluation rows ("req-0", "req-1", … of 25 rows each), stops it; returns the log and each row's truth.</summary>
    private async Task<(string Log, IReadOnlyList<string> Truth)> ServeAsync()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "samples", "churn", "data", "test.csv")).Take(1001).ToList();
        var header = lines[0].Split(',');
        var label = Array.IndexOf(header, "Churned");
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        var log = _work.PathOf($"logs/{Guid.NewGuid():N}.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        await using (var host = await ServingProcess.StartAsync(packages.Baseline, log))
        {
            foreach (var (batch, index) in rows.Chunk(RowsPerRequest).Select((batch, index) => (batch, index)))
            {
                var body = batch.Select(cells => header.Select((name, i) => (name, cell: cells[i])).Where(c => c.name is not ("CustomerId" or "Churned"))
                    .ToDictionary(c => c.name, c => (object?)c.cell)).ToList();
                using var request = new HttpRequestMessage(HttpMethod.Post, "predict") { Content = JsonContent.Create(new { rows = body }) };
                request.Headers.Add("X-Request-Id", $"req-{index}");
                using var response = await host.Client.SendAsync(request);
                response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync());
            }
            (await host.StopAsync()).ExitCode.ShouldBe(0);
        }
        return (log, rows.Select(cells => cells[label]).ToList());
    }

    private string Labels(string name, IReadOnlyList<string> truth, Func<int, bool> flip)
    {
        var text = new StringBuilder("requestId,row,Churned\n");
        for (var i = 0; i < truth.Count; i++)
            text.Append($"req-{i / RowsPerRequest},{i % RowsPerRequest},{(flip(i) ? (truth[i] == "Yes" ? "No" : "Yes") : truth[i])}\n");
        return _work.Write(name, text.ToString());
    }

    private async Task<(MlopsTool.Result Result, string Outputs, string Summary)> FeedbackAsync(string log, string labels, string name)
    {
        var outputs = _work.Write($"{name}/outputs", "");
        var summary = _work.Write($"{name}/summary.md", "");
        var result = await MlopsTool.RunAsync(new Dictionary<string, string>
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_OUTPUT"] = outputs,
            ["GITHUB_STEP_SUMMARY"] = summary,
        }, "feedback", "--package", packages.Baseline, "--log", log, "--labels", labels);
        return (result, File.ReadAllText(outputs), File.ReadAllText(summary));
    }
}
