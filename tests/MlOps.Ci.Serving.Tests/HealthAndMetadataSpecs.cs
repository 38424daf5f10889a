using System.Net;
using System.Text.Json.Nodes;
using MlOps.Ci.Serving.Tests.Support;

namespace MlOps.Ci.Serving.Tests;

/// <summary>The Open Inference Protocol's health and metadata endpoints, on the churn model.</summary>
[Collection(ServingCollection.Name)]
public sealed class HealthAndMetadataSpecs(ServingFixture fixture)
{
    private RunningHost Host => fixture.Churn;

    [Theory]
    [InlineData("/v2/health/live")]
    [InlineData("/v2/health/ready")]
    [InlineData("/v2/models/churn/ready")]
    [InlineData("/v2/models/churn/versions/2.1.0/ready")]
    public async Task The_host_is_live_and_ready_once_it_listens(string path)
    {
        using var response = await Host.Client.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task The_server_metadata_names_the_server_and_its_version()
    {
        var metadata = await Host.GetJsonAsync("/v2");

        metadata["name"]!.GetValue<string>().ShouldBe("mlops-ci");
        metadata["version"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        metadata["extensions"]!.AsArray().ShouldBeEmpty();
    }

    [Theory]
    [InlineData("/v2/models/churn")]
    [InlineData("/v2/models/churn/versions/2.1.0")]
    public async Task The_model_metadata_describes_the_graph_and_where_it_runs(string path)
    {
        var metadata = await Host.GetJsonAsync(path);

        metadata["name"]!.GetValue<string>().ShouldBe("churn");
        metadata["versions"]!.AsArray().Select(v => v!.GetValue<string>()).ShouldBe(["2.1.0"]);
        metadata["platform"]!.GetValue<string>().ShouldBe("onnxruntime_onnx");
        var inputs = metadata["inputs"]!.AsArray().Select(i => (i!["name"]!.GetValue<string>(), i["datatype"]!.GetValue<string>())).ToList();
        inputs.ShouldContain(("Tenure", "FP32"));
        inputs.ShouldContain(("Contract", "BYTES"));
        inputs.ShouldContain(("SeniorCitizen", "FP32"));
        inputs.Count.ShouldBe(11);
        metadata["inputs"]![0]!["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ShouldBe([-1, 1]);
        metadata["outputs"]!.AsArray().Select(o => $"{o!["name"]} {o["datatype"]}").ShouldBe(["PredictedLabel BOOL", "Score FP32", "Probability FP32"], ignoreOrder: true);
        var parameters = metadata["parameters"]!;
        parameters["execution_provider"]!.GetValue<string>().ShouldBe("CPU");
        parameters["fingerprint"]!.GetValue<string>().ShouldStartWith("xxh128:");
        parameters["task"]!.GetValue<string>().ShouldBe("BinaryClassification");
        parameters["label_column"]!.GetValue<string>().ShouldBe("Churned");
        parameters["positive_class"]!.GetValue<string>().ShouldBe("Yes");
        metadata["classes"]!.AsArray().Select(c => c!.GetValue<string>()).ShouldBe(["No", "Yes"]);
    }

    [Theory]
    [InlineData("/v2/models/fraud", "Model 'fraud' is not served here; this host serves 'churn'")]
    [InlineData("/v2/models/fraud/ready", "Model 'fraud' is not served here")]
    [InlineData("/v2/models/churn/versions/9.9.9", "Model 'churn' has no version '9.9.9' here; this host serves version 2.1.0")]
    public async Task Another_model_or_version_is_not_found(string path, string message)
    {
        using var response = await Host.Client.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>().ShouldContain(message);
    }

    [Fact]
    public async Task A_host_serves_the_model_under_the_name_it_is_given()
    {
        await using var host = await fixture.StartAsync(fixture.Models.Churn, options => options with { ModelName = "churn-canary" });

        var metadata = await host.GetJsonAsync("/v2/models/churn-canary");
        using var original = await host.Client.GetAsync("/v2/models/churn");

        metadata["name"]!.GetValue<string>().ShouldBe("churn-canary");
        original.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
