using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;

namespace MlOps.Ci.EndToEnd.Tests;

/// <summary><c>mlops serve</c> from the installed tool answers exactly what <c>mlops score</c> computes for the same rows.</summary>
[Collection(SdkCollection.Name)]
public sealed class ServeSpecs(BuiltSample sample) : IDisposable
{
    private readonly InstalledTool _tool = new(sample.Sdk);
    private readonly string _work = Directory.CreateTempSubdirectory("mlops-e2e-serve-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Serve_answers_predict_and_v2_requests_identically_to_score()
    {
        var rows = File.ReadAllLines(Path.Combine(sample.Project.Folder, "data/test.csv")).Take(201).ToArray();
        var input = Path.Combine(_work, "rows.csv");
        File.WriteAllLines(input, rows);
        var scored = Path.Combine(_work, "scored.csv");
        _tool.Run(_work, "score", "-p", sample.Project.PackagePath(), "-i", input, "-o", scored).ExitCode.ShouldBe(0);
        var expected = File.ReadAllLines(scored).Skip(1).Select(l => double.Parse(l.Split(',')[^2], CultureInfo.InvariantCulture)).ToList();

        var port = FreePort();
        using var server = Process.Start(new ProcessStartInfo(Path.Combine(_tool.ToolPath, "mlops"),
            ["serve", "--package", sample.Project.PackagePath(), "--urls", $"http://127.0.0.1:{port}", "--request-log", Path.Combine(_work, "requests.jsonl")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await WaitUntilReady(http);
            var header = rows[0].Split(',');
            var inputs = header.Where(h => h is not ("CustomerId" or "Churned")).ToArray();
            var objects = rows.Skip(1).Select(r => r.Split(',')).Select(cells =>
                inputs.ToDictionary(name => name, name => (object?)cells[Array.IndexOf(header, name)])).ToList();

            var predict = await http.PostAsJsonAsync("predict", new { rows = objects });
            predict.EnsureSuccessStatusCode();
            var predictions = (await predict.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("predictions").EnumerateArray()
                .Select(p => p.GetProperty("probability").GetDouble()).ToList();

            var v2Inputs = new JsonArray(inputs.Select(name =>
            {
                var kind = JsonNode.Parse(File.ReadAllText(Path.Combine(sample.Project.IntermediateFolder, "validation.json")))!["schema"]!["columns"]!.AsArray()
                    .First(c => (string?)c!["name"] == name)!["kind"]!.GetValue<string>();
                var data = new JsonArray(objects.Select(o => kind switch
                {
                    "categorical" => (JsonNode?)JsonValue.Create((string?)o[name] ?? ""),
                    "boolean" => JsonValue.Create((string?)o[name] == "Yes" ? 1f : 0f),
                    // JSON has no NaN: a missing number is null, as in /predict.
                    _ => string.IsNullOrEmpty((string?)o[name]) || (string?)o[name] == "NA" ? null : JsonValue.Create(float.Parse((string)o[name]!, CultureInfo.InvariantCulture)),
                }).ToArray());
                return (JsonNode)new JsonObject
                {
                    ["name"] = name,
                    ["shape"] = new JsonArray(objects.Count, 1),
                    ["datatype"] = kind == "categorical" ? "BYTES" : "FP32",
                    ["data"] = data,
                };
            }).ToArray());
            var v2 = await http.PostAsync("v2/models/churn/infer", new StringContent(
                new JsonObject { ["inputs"] = v2Inputs }.ToJsonString(),
                System.Text.Encoding.UTF8, "application/json"));
            var v2Body = await v2.Content.ReadAsStringAsync();
            v2.IsSuccessStatusCode.ShouldBeTrue(v2Body);
            var probability = JsonDocument.Parse(v2Body).RootElement.GetProperty("outputs").EnumerateArray()
                .First(o => o.GetProperty("name").GetString() == "Probability").GetProperty("data").EnumerateArray().Select(v => v.GetDouble()).ToList();

            predictions.Count.ShouldBe(expected.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                predictions[i].ShouldBe(expected[i], 1e-6, $"/predict row {i + 1}");
                probability[i].ShouldBe(expected[i], 1e-6, $"v2 row {i + 1}");
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }


    private static async Task WaitUntilReady(HttpClient http)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                if ((await http.GetAsync("v2/health/ready")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("mlops serve did not become ready in 20 s.");
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
