using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Ci.GitHub.Tests.Fake;
using MlOps.Ci.Testing;

namespace MlOps.Ci.GitHub.Tests;

/// <summary>
/// The monitoring loop closed end to end with real parts only: the real CLI serves a real churn package, real HTTP
/// /predict traffic built from the sample's held-out data flows through it, the host is stopped with SIGTERM (draining
/// and flushing its request log), <c>mlops drift</c> reads that log against the package's training profile, and the
/// retraining dispatch reaches the fake GitHub (checked against GitHub's OpenAPI description) with its inputs.
/// </summary>
public sealed class DriftLoopSpecs(ChurnPackages packages) : GitHubFixture, IClassFixture<ChurnPackages>, IDisposable
{
    private const int RowsPerRequest = 20;

    /// <summary>The features the shifted traffic moves; every other feature is sent as the sample has it.</summary>
    private static readonly string[] ShiftedFeatures = ["Tenure", "MonthlyCharges", "Contract"];

    private readonly TempFolder _work = new();

    public void Dispose() => _work.Dispose();

    /// <summary>Longer-tenured customers paying half as much again, with month-to-month contracts turned into two-year ones.</summary>
    private static Dictionary<string, object?> Shift(Dictionary<string, object?> row)
    {
        var shifted = new Dictionary<string, object?>(row);
        if (row["Tenure"] is string { Length: > 0 } tenure)
            shifted["Tenure"] = double.Parse(tenure, CultureInfo.InvariantCulture) + 30;
        if (row["MonthlyCharges"] is string { Length: > 0 } charges)
            shifted["MonthlyCharges"] = Math.Round(double.Parse(charges, CultureInfo.InvariantCulture) * 1.5, 2);
        if (row["Contract"] is "Month-to-month")
            shifted["Contract"] = "Two year";
        return shifted;
    }

    /// <summary>Serves the baseline package, sends <paramref name="rows"/> as a stream of /predict requests, stops the host and returns its request log.</summary>
    private async Task<string> ServeAsync(string name, IReadOnlyList<Dictionary<string, object?>> rows)
    {
        var log = _work.PathOf($"{name}/requests.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        await using var host = await ServingProcess.StartAsync(packages.Baseline, log);
        foreach (var (batch, index) in rows.Chunk(RowsPerRequest).Select((batch, index) => (batch, index)))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "predict") { Content = JsonContent.Create(new { rows = batch }) };
            request.Headers.Add("X-Request-Id", $"{name}-{index}");
            using var response = await host.Client.SendAsync(request);
            response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync());
        }
        var stopped = await host.StopAsync();
        stopped.ExitCode.ShouldBe(0, stopped.ToString());
        File.ReadLines(log).Count().ShouldBe(rows.Count, "the host drains and flushes every logged row on SIGTERM");
        return log;
    }

    private Dictionary<string, string> Runner(string outputs) => new()
    {
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_REPOSITORY"] = $"{FakeGitHub.Owner}/{FakeGitHub.Repo}",
        ["GITHUB_API_URL"] = Fake.ApiUrl,
        ["GITHUB_TOKEN"] = FakeGitHub.WriteToken,
        ["GITHUB_REF_NAME"] = "main",
        ["GITHUB_OUTPUT"] = outputs,
        ["GITHUB_STEP_SUMMARY"] = _work.PathOf("step-summary.md"),
        ["GITHUB_WORKSPACE"] = _work.Root,
    };

    private static (JsonElement Report, string[] Drifted) Read(MlopsTool.Result drift)
    {
        var report = JsonDocument.Parse(drift.StandardOutput).RootElement;
        var drifted = report.GetProperty("features").EnumerateArray()
            .Where(f => f.GetProperty("drifted").GetBoolean()).Select(f => f.GetProperty("column").GetString()!).ToArray();
        return (report, drifted);
    }

    [Fact]
    public async Task Unshifted_traffic_through_the_real_host_does_not_advise_retraining_and_dispatches_nothing()
    {
        Fake.Workflows["train.yml"] = ["reason", "window"];
        var log = await ServeAsync("unshifted", ChurnPackages.HeldOutRows());

        var drift = await MlopsTool.RunAsync(new Dictionary<string, string>(), "drift", "--package", packages.Baseline, "--input", log, "--json");

        drift.ExitCode.ShouldBe(0, drift.ToString());
        var (report, drifted) = Read(drift);
        report.GetProperty("retrain").GetBoolean().ShouldBeFalse();
        drifted.ShouldBeEmpty();
        report.GetProperty("rowsRead").GetInt64().ShouldBe(1000);
        // The host's logged probabilities, against the package's reference from evaluation: compared, and unmoved.
        var prediction = report.GetProperty("prediction");
        prediction.GetProperty("column").GetString().ShouldBe("probability");
        prediction.GetProperty("rows").GetInt64().ShouldBe(1000);
        prediction.GetProperty("drifted").GetBoolean().ShouldBeFalse();

        var outputs = _work.PathOf("unshifted/outputs");
        File.WriteAllText(outputs, "");
        var step = await MlopsTool.RunAsync(Runner(outputs), "drift", "--package", packages.Baseline, "--input", log, "--retrain-workflow", "train.yml");

        step.ExitCode.ShouldBe(0, step.ToString());
        File.ReadAllText(outputs).ShouldContain("retrain=false\n");
        Fake.Dispatches.ShouldBeEmpty();
    }

    [Fact]
    public async Task Shifted_traffic_advises_retraining_naming_exactly_the_shifted_features_and_the_dispatch_reaches_GitHub_with_reason_and_window()
    {
        Fake.Workflows["train.yml"] = ["reason", "window"];
        var log = await ServeAsync("shifted", ChurnPackages.HeldOutRows().Select(Shift).ToList());

        var drift = await MlopsTool.RunAsync(new Dictionary<string, string>(), "drift", "--package", packages.Baseline, "--input", log, "--json");

        drift.ExitCode.ShouldBe(1, drift.ToString());
        var (report, drifted) = Read(drift);
        report.GetProperty("drifted").GetBoolean().ShouldBeTrue();
        report.GetProperty("retrain").GetBoolean().ShouldBeTrue();
        drifted.ShouldBe(ShiftedFeatures, ignoreOrder: true);
        // Whether the shifted inputs moved the predictions too, they are reported apart from the features.
        report.GetProperty("prediction").GetProperty("column").GetString().ShouldBe("probability");
        var window = report.GetProperty("window");
        var windowInput = $"{window.GetProperty("first").GetDateTimeOffset().UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}/{window.GetProperty("last").GetDateTimeOffset().UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}";

        // What a workflow does with the report: mlops retrain with the reason and the window as inputs.
        var reason = $"Drift in {string.Join(", ", drifted)}";
        var retrain = await MlopsTool.RunAsync(Runner(_work.PathOf("shifted/retrain-outputs")),
            "retrain", "--workflow", "train.yml", "--reason", reason, "--input", $"window={windowInput}");

        retrain.ExitCode.ShouldBe(0, retrain.ToString());
        var dispatched = Fake.Dispatches.ShouldHaveSingleItem();
        dispatched.Workflow.ShouldBe("train.yml");
        dispatched.Ref.ShouldBe("main");
        dispatched.Inputs.ToJsonString().ShouldBe(new System.Text.Json.Nodes.JsonObject { ["window"] = windowInput, ["reason"] = reason }.ToJsonString());

        // The same in one step: mlops drift dispatches the workflow itself when it advises retraining.
        var outputs = _work.PathOf("shifted/outputs");
        File.WriteAllText(outputs, "");
        var step = await MlopsTool.RunAsync(Runner(outputs), "drift", "--package", packages.Baseline, "--input", log, "--retrain-workflow", "train.yml");

        step.ExitCode.ShouldBe(1, step.ToString());
        File.ReadAllText(outputs).ShouldContain("drifted=true\n");
        File.ReadAllText(outputs).ShouldContain("retrain=true\n");
        step.StandardOutput.ShouldContain("Dispatched train.yml on main");
        Fake.Dispatches.Count.ShouldBe(2);
        var inputs = Fake.Dispatches[1].Inputs;
        inputs["window"]!.GetValue<string>().ShouldBe(windowInput);
        var reasonSent = inputs["reason"]!.GetValue<string>();
        reasonSent.ShouldStartWith("Drift in ");
        foreach (var feature in ShiftedFeatures)
            reasonSent.ShouldContain(feature);
        foreach (var untouched in new[] { "TotalCharges", "Plan", "PaymentMethod", "InternetService", "Region", "SeniorCitizen", "SupportCalls", "DataUsageGb" })
            reasonSent.ShouldNotContain(untouched);
        reasonSent.ShouldContain("churn 1.0.0, 1000 rows");
    }
}
