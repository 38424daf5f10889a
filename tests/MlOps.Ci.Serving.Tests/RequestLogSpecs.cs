using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Serving.Monitoring;
using MlOps.Ci.Serving.Tests.Support;

namespace MlOps.Ci.Serving.Tests;

/// <summary>The sampled request log: one JSON line per scored row, written off the request path, flushed at shutdown.</summary>
[Collection(ServingCollection.Name)]
public sealed class RequestLogSpecs(ServingFixture fixture)
{
    [Fact]
    public async Task Every_scored_row_is_logged_with_its_request_id_inputs_and_outputs()
    {
        var log = fixture.Models.Folder.PathOf($"logs/{Guid.NewGuid():N}.jsonl");
        var rows = EvaluationRows.Of(fixture.Models.Churn).Take(3).ToList();
        JsonNode answer;
        string echoed;
        string generated;
        await using (var host = await fixture.StartAsync(fixture.Models.Churn, options => options with { RequestLogPath = log }))
        {
            using (var response = await host.PostAsync("/predict", new JsonArray([.. rows.Select(r => r.DeepClone())]), requestId: "order-1234"))
            {
                echoed = response.Headers.GetValues("X-Request-Id").Single();
                answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            }
            using (var response = await host.PostAsync("/v2/models/churn/infer", EvaluationRows.AsInferRequest(fixture.Models.Churn, [rows[0]])))
                generated = response.Headers.GetValues("X-Request-Id").Single();
            await host.StopAsync();
        }

        echoed.ShouldBe("order-1234");
        generated.Length.ShouldBe(32);
        var lines = File.ReadAllLines(log).Select(l => JsonNode.Parse(l)!).ToList();
        lines.Count.ShouldBe(4);
        var card = MlOps.Ci.Packaging.ModelPackage.Read(fixture.Models.Churn.PackagePath).Card;
        for (var i = 0; i < 3; i++)
        {
            var line = lines[i];
            line["requestId"]!.GetValue<string>().ShouldBe("order-1234");
            line["row"]!.GetValue<int>().ShouldBe(i);
            line["model"]!.GetValue<string>().ShouldBe("churn");
            line["version"]!.GetValue<string>().ShouldBe("2.1.0");
            line["fingerprint"]!.GetValue<string>().ShouldBe(card.Fingerprints.Model);
            DateTimeOffset.Parse(line["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
                .ShouldBeInRange(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow);
            line["inputs"]!["Tenure"]!.GetValue<float>().ShouldBe(rows[i]["Tenure"]!.GetValue<float>());
            line["inputs"]!["Contract"]!.GetValue<string>().ShouldBe(rows[i]["Contract"]!.GetValue<string>());
            line["inputs"]!.AsObject().Count.ShouldBe(11);
            line["outputs"]!.ToJsonString().ShouldBe(answer["predictions"]![i]!.ToJsonString());
        }
        lines[3]["requestId"]!.GetValue<string>().ShouldBe(generated);
    }

    [Fact]
    public async Task The_sample_rate_decides_by_request_id()
    {
        var log = fixture.Models.Folder.PathOf($"logs/{Guid.NewGuid():N}.jsonl");
        var row = EvaluationRows.Of(fixture.Models.Churn)[0];
        var ids = Enumerable.Range(0, 40).Select(i => $"request-{i}").ToList();
        await using (var host = await fixture.StartAsync(fixture.Models.Churn, options => options with { RequestLogPath = log, RequestLogSampleRate = 0.5 }))
        {
            foreach (var id in ids)
                (await host.PostAsync("/predict", row, id)).Dispose();
            await host.StopAsync();
        }

        var logged = File.ReadAllLines(log).Select(l => JsonNode.Parse(l)!["requestId"]!.GetValue<string>()).ToList();
        logged.ShouldBe(ids.Where(id => RequestLog.IsSampled(id, 0.5)).ToList());
        logged.Count.ShouldBeInRange(10, 30);
    }

    [Fact]
    public void Sampling_is_even_and_the_same_for_the_same_id()
    {
        var ids = Enumerable.Range(0, 20_000).Select(i => Guid.NewGuid().ToString("N")).ToList();

        ids.Count(id => RequestLog.IsSampled(id, 0.1)).ShouldBeInRange(1_700, 2_300);
        ids.ShouldAllBe(id => RequestLog.IsSampled(id, 0.3) == RequestLog.IsSampled(id, 0.3));
        ids.ShouldAllBe(id => RequestLog.IsSampled(id, 1) && !RequestLog.IsSampled(id, 0));
    }

    [Fact]
    public async Task No_path_means_no_log()
    {
        var folder = fixture.Models.Folder.PathOf($"logs/{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        await using (var host = await fixture.StartAsync(fixture.Models.Churn, options => options with { RequestLogPath = null }))
        {
            (await host.PostOkAsync("/predict", EvaluationRows.Of(fixture.Models.Churn)[0])).ShouldNotBeNull();
        }

        Directory.EnumerateFileSystemEntries(folder).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_full_queue_drops_and_counts_rather_than_waits()
    {
        await using var host = await fixture.StartAsync(fixture.Models.Churn);
        var services = host.App.Services;
        var metrics = (ServingMetrics)services.GetService(typeof(ServingMetrics))!;
        var model = (MlOps.Ci.Serving.Model.ServedModel)services.GetService(typeof(MlOps.Ci.Serving.Model.ServedModel))!;
        // A log whose writer never runs: its queue of 2 fills and stays full.
        var options = new ServingOptions(fixture.Models.Churn.PackagePath) { RequestLogPath = fixture.Models.Folder.PathOf("logs/never.jsonl"), RequestLogCapacity = 2 };
        var log = new RequestLog(options, metrics, NullLogger<RequestLog>.Instance);
        var batch = new MlOps.Ci.Serving.Model.ScoringBatch(model) { Rows = 1 };
        model.Score(batch);

        for (var i = 0; i < 5; i++)
            log.TryLog(batch, $"r{i}");

        var text = await host.Client.GetStringAsync("/metrics");
        text.ShouldContain("mlops_request_log_dropped_total 3");
    }
}
