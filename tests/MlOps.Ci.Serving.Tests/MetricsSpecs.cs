using System.Net;
using System.Text.RegularExpressions;
using MlOps.Ci.Serving.Tests.Support;

namespace MlOps.Ci.Serving.Tests;

/// <summary>GET /metrics: Prometheus text with the host's requests, latency, predictions and the model's identity.</summary>
[Collection(ServingCollection.Name)]
public sealed partial class MetricsSpecs(ServingFixture fixture)
{
    [Fact]
    public async Task Metrics_count_requests_by_endpoint_and_status_and_name_the_model()
    {
        await using var host = await fixture.StartAsync(fixture.Models.Churn);
        var rows = EvaluationRows.Of(fixture.Models.Churn);
        for (var i = 0; i < 3; i++)
            (await host.PostAsync("/predict", rows[i])).Dispose();
        (await host.PostAsync("/predict", "{")).Dispose();
        (await host.Client.GetAsync("/v2/health/ready")).Dispose();
        (await host.Client.GetAsync("/nowhere")).Dispose();

        using var response = await host.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Value(text, "mlops_http_requests_total", """endpoint="predict",status="200" """).ShouldBe(3);
        Value(text, "mlops_http_requests_total", """endpoint="predict",status="400" """).ShouldBe(1);
        Value(text, "mlops_http_requests_total", """endpoint="health_ready",status="200" """).ShouldBe(1);
        Value(text, "mlops_http_requests_total", """endpoint="unmatched",status="404" """).ShouldBe(1);
        Value(text, "mlops_http_request_duration_seconds_count", """endpoint="predict" """).ShouldBe(4);
        Value(text, "mlops_http_request_duration_seconds_bucket", """endpoint="predict",le="0.0001" """).ShouldBeGreaterThanOrEqualTo(0);
        var fingerprint = Regex.Match(text, "mlops_model_info\\{model=\"churn\",version=\"2.1.0\",fingerprint=\"(xxh128:[0-9a-f]+)\",execution_provider=\"CPU\"\\} 1");
        fingerprint.Success.ShouldBeTrue(text);
    }

    [Fact]
    public async Task Metrics_show_what_the_model_predicts()
    {
        await using var host = await fixture.StartAsync(fixture.Models.Churn);
        var rows = EvaluationRows.Of(fixture.Models.Churn);
        var answer = await host.PostOkAsync("/predict", new System.Text.Json.Nodes.JsonArray([.. rows.Take(40).Select(r => r.DeepClone())]));
        var yes = answer["predictions"]!.AsArray().Count(p => p!["predictedLabel"]!.GetValue<string>() == "Yes");

        var text = await host.Client.GetStringAsync("/metrics");

        Value(text, "mlops_predictions_total", "").ShouldBe(40);
        Value(text, "mlops_predicted_class_total", """class="Yes" """).ShouldBe(yes);
        Value(text, "mlops_predicted_class_total", """class="No" """).ShouldBe(40 - yes);
        Value(text, "mlops_prediction_probability_count", "").ShouldBe(40);
        Value(text, "mlops_prediction_probability_bucket", """le="1" """).ShouldBe(40);
    }

    [Fact]
    public async Task A_regression_model_has_a_histogram_of_its_scores()
    {
        await using var host = await fixture.StartAsync(fixture.Models.Regression);
        var rows = EvaluationRows.Of(fixture.Models.Regression);
        (await host.PostOkAsync("/predict", new System.Text.Json.Nodes.JsonArray([.. rows.Take(10).Select(r => r.DeepClone())]))).ShouldNotBeNull();

        var text = await host.Client.GetStringAsync("/metrics");

        Value(text, "mlops_prediction_score_count", "").ShouldBe(10);
        text.ShouldNotContain("mlops_predicted_class_total");
    }

    /// <summary>The value of one sample: the metric name with exactly these labels (empty: none).</summary>
    private static double Value(string text, string name, string labels)
    {
        var selector = labels.Trim().Length == 0 ? name : $"{name}{{{labels.Trim()}}}";
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(selector + " ", StringComparison.Ordinal))
            ?? throw new ShouldAssertException($"No sample {selector} in:\n{text}");
        return double.Parse(line[(selector.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
