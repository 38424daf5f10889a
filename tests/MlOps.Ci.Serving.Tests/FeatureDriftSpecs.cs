using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MlOps.Ci.Serving.Tests.Support;

namespace MlOps.Ci.Serving.Tests;

/// <summary>The rolling drift score on /metrics: PSI per feature over the last scored rows against the training profile.</summary>
[Collection(ServingCollection.Name)]
public sealed partial class FeatureDriftSpecs(ServingFixture fixture)
{
    /// <summary>The usual PSI alarm (the sample's DriftThreshold); 400 rows over 20 bins carry about 0.05–0.1 of sampling noise.</summary>
    private const double AlarmThreshold = 0.2;

    [Fact]
    public async Task Traffic_like_the_training_data_keeps_every_feature_s_drift_score_low()
    {
        await using var host = await fixture.StartAsync(fixture.Models.Churn);
        var rows = EvaluationRows.Of(fixture.Models.Churn);

        await SendAsync(host, rows);
        var text = await host.Client.GetStringAsync("/metrics");

        Value(text, "mlops_feature_drift_window_rows", "").ShouldBe(rows.Count);
        var scores = Scores(text);
        scores.Keys.ShouldBe(["Contract", "DataUsageGb", "InternetService", "MonthlyCharges", "PaymentMethod", "Plan", "Region", "SeniorCitizen", "SupportCalls",
            "Tenure", "TotalCharges"], ignoreOrder: true);
        scores.ShouldAllBe(s => s.Value < AlarmThreshold, string.Join(", ", scores.Select(s => $"{s.Key}={s.Value}")));
    }

    [Fact]
    public async Task Shifted_traffic_raises_the_score_of_the_shifted_features_only()
    {
        await using var host = await fixture.StartAsync(fixture.Models.Churn);
        var shifted = EvaluationRows.Of(fixture.Models.Churn).Select(row =>
        {
            var copy = row.DeepClone().AsObject();
            // Customers stay three times as long as in training, and every one of them has a two-year contract.
            copy["Tenure"] = copy["Tenure"]!.GetValue<float>() * 3 + 12;
            copy["Contract"] = "Two year";
            return copy;
        }).ToList();

        await SendAsync(host, shifted);
        var scores = Scores(await host.Client.GetStringAsync("/metrics"));

        scores["Tenure"].ShouldBeGreaterThan(0.25);
        scores["Contract"].ShouldBeGreaterThan(0.25);
        scores.Where(s => s.Key is not ("Tenure" or "Contract")).ShouldAllBe(s => s.Value < AlarmThreshold);
    }

    [Fact]
    public async Task The_window_forgets_rows_older_than_its_size()
    {
        var rows = EvaluationRows.Of(fixture.Models.Churn);
        await using var host = await fixture.StartAsync(fixture.Models.Churn, options => options with { DriftWindowRows = rows.Count });
        var shifted = rows.Select(row =>
        {
            var copy = row.DeepClone().AsObject();
            copy["Tenure"] = copy["Tenure"]!.GetValue<float>() * 3 + 12;
            return copy;
        }).ToList();

        await SendAsync(host, shifted);
        var whileShifted = Scores(await host.Client.GetStringAsync("/metrics"))["Tenure"];
        await SendAsync(host, rows);
        var text = await host.Client.GetStringAsync("/metrics");

        whileShifted.ShouldBeGreaterThan(0.25);
        Value(text, "mlops_feature_drift_window_rows", "").ShouldBe(rows.Count);
        Scores(text)["Tenure"].ShouldBeLessThan(AlarmThreshold);
    }

    [Fact]
    public async Task Before_any_row_is_scored_the_score_is_not_a_number_and_a_zero_window_exports_none()
    {
        await using (var host = await fixture.StartAsync(fixture.Models.Churn))
            double.IsNaN(Scores(await host.Client.GetStringAsync("/metrics"))["Tenure"]).ShouldBeTrue();

        await using (var off = await fixture.StartAsync(fixture.Models.Churn, options => options with { DriftWindowRows = 0 }))
        {
            await SendAsync(off, EvaluationRows.Of(fixture.Models.Churn).Take(10).ToList());
            Scores(await off.Client.GetStringAsync("/metrics")).ShouldBeEmpty();
        }
    }

    /// <summary>In batches of 50 rows, as a client posting several rows per request would.</summary>
    private static async Task SendAsync(RunningHost host, IReadOnlyList<JsonObject> rows)
    {
        foreach (var chunk in rows.Chunk(50))
            (await host.PostOkAsync("/predict", new JsonArray([.. chunk.Select(r => r.DeepClone())]))).ShouldNotBeNull();
    }

    private static Dictionary<string, double> Scores(string text) =>
        DriftLine().Matches(text).ToDictionary(m => m.Groups["feature"].Value, m => ParseValue(m.Groups["value"].Value));

    private static double Value(string text, string name, string labels)
    {
        var selector = labels.Trim().Length == 0 ? "" : $"\\{{{Regex.Escape(labels.Trim())}\\}}";
        var match = Regex.Match(text, $"^{Regex.Escape(name)}{selector} (?<value>\\S+)$", RegexOptions.Multiline);
        match.Success.ShouldBeTrue($"{name}{{{labels}}} in:\n{text}");
        return ParseValue(match.Groups["value"].Value);
    }

    private static double ParseValue(string value) => value == "NaN" ? double.NaN : double.Parse(value, CultureInfo.InvariantCulture);

    [GeneratedRegex("^mlops_feature_drift_psi\\{feature=\"(?<feature>[^\"]+)\"\\} (?<value>\\S+)$", RegexOptions.Multiline)]
    private static partial Regex DriftLine();
}
