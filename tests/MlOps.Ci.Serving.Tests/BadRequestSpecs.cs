using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MlOps.Ci.Serving.Tests.Support;

namespace MlOps.Ci.Serving.Tests;

/// <summary>
/// Whatever a client sends, the host answers a 4xx whose {"error"} names the field at fault, and keeps answering:
/// a bad request is never a 500 and never takes the host down.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class BadRequestSpecs(ServingFixture fixture)
{
    private RunningHost Host => fixture.Churn;

    private readonly JsonObject _row = EvaluationRows.Of(fixture.Models.Churn)[0];

    private JsonObject Row() => (JsonObject)_row.DeepClone();

    private static JsonObject With(JsonObject row, string column, JsonNode? value)
    {
        row[column] = value;
        return row;
    }

    private static JsonObject Without(JsonObject row, string column)
    {
        row.Remove(column);
        return row;
    }

    public static TheoryData<string, string> PredictBodies => new()
    {
        { "wrong type", """{"Tenure":"abc"}""" },
        { "invalid JSON", """{"Tenure": 3,, }""" },
        { "truncated JSON", """{"rows": [{"Tenure": 3""" },
        { "trailing garbage", """{} x""" },
        { "empty body", "" },
        { "not an object", "42" },
        { "row not an object", "[1]" },
        { "empty batch", "[]" },
        { "rows not an array", """{"rows": 3}""" },
    };

    [Theory]
    [MemberData(nameof(PredictBodies))]
    public async Task A_malformed_predict_body_is_a_400(string problem, string body)
    {
        using var response = await Host.PostAsync("/predict", body);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, problem);
        (await ErrorOf(response)).ShouldNotBeNullOrWhiteSpace(problem);
    }

    [Fact]
    public async Task A_wrong_type_names_the_column_and_the_value()
    {
        using var response = await Host.PostAsync("/predict", With(Row(), "Tenure", "abc"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ErrorOf(response)).ShouldBe("Tenure must be a number, got \"abc\"");
    }

    [Theory]
    [InlineData("Tenure", "true", "Tenure must be a number, got true")]
    [InlineData("Tenure", "[1]", "Tenure must be a number, got an array")]
    [InlineData("Tenure", "1e999", "Tenure must be a number within the range of a float, got 1e999")]
    [InlineData("SeniorCitizen", "\"maybe\"", "SeniorCitizen must be a boolean (true/false, \"yes\"/\"no\", 1/0), got \"maybe\"")]
    [InlineData("SeniorCitizen", "2", "SeniorCitizen must be a boolean (true/false, \"yes\"/\"no\", 1/0), got 2")]
    [InlineData("Contract", "{}", "Contract must be a string, got an object")]
    public async Task Each_kind_of_column_says_what_it_takes(string column, string json, string message)
    {
        using var response = await Host.PostAsync("/predict", With(Row(), column, JsonNode.Parse(json)));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ErrorOf(response)).ShouldBe(message);
    }

    [Fact]
    public async Task A_missing_column_is_an_error_but_null_is_a_missing_value()
    {
        using var missing = await Host.PostAsync("/predict", Without(Row(), "Contract"));
        using var nulled = await Host.PostAsync("/predict", With(Row(), "Contract", null));

        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ErrorOf(missing)).ShouldBe("Column 'Contract' is missing; send null for a missing value.");
        nulled.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_unknown_or_repeated_column_is_an_error_that_names_the_row()
    {
        var rows = new JsonArray(Row(), With(Row(), "Colour", "red"));
        using var unknown = await Host.PostAsync("/predict", rows);
        using var repeated = await Host.PostAsync("/predict", """{"Tenure": 1, "Tenure": 2}""");

        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ErrorOf(unknown)).ShouldStartWith("Row 1: Unknown column \"Colour\"; the model takes Tenure, MonthlyCharges,");
        (await ErrorOf(repeated)).ShouldBe("Column 'Tenure' is given twice.");
    }

    [Fact]
    public async Task Invalid_json_is_reported_with_its_line_and_position()
    {
        using var response = await Host.PostAsync("/predict", "{\n  \"Tenure\": 3,\n  \"Plan\": Basic\n}");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ErrorOf(response)).ShouldStartWith("The body is not valid JSON (line 3, position 11):");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413()
    {
        var row = Row().ToJsonString();
        var body = "[" + string.Join(",", Enumerable.Repeat(row, 10 * 1024 * 1024 / row.Length)) + "]";
        body.Length.ShouldBeGreaterThan(10 * 1024 * 1024 - 1024);

        using var response = await Host.PostAsync("/predict", body);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await ErrorOf(response)).ShouldContain("at most 4194304 (MaxRequestBodyBytes)");
        await The_host_still_answers();
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_a_413_too()
    {
        await using var host = await fixture.StartAsync(fixture.Models.Churn, options => options with { MaxRequestBodyBytes = 64 * 1024 });
        var body = "[" + string.Join(",", Enumerable.Repeat(Row().ToJsonString(), 1000)) + "]";
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await host.Client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await ErrorOf(response)).ShouldContain("larger than 65536 bytes");
    }

    [Fact]
    public async Task A_batch_over_the_row_limit_is_a_413()
    {
        await using var host = await fixture.StartAsync(fixture.Models.Churn, options => options with { MaxBatchRows = 50 });
        var rows = new JsonArray([.. Enumerable.Range(0, 51).Select(_ => (JsonNode)Row())]);

        using var predict = await host.PostAsync("/predict", rows);
        using var infer = await host.PostAsync("/v2/models/churn/infer",
            EvaluationRows.AsInferRequest(fixture.Models.Churn, [.. Enumerable.Range(0, 51).Select(_ => Row())]));
        using var atLimit = await host.PostAsync("/predict", new JsonArray([.. Enumerable.Range(0, 50).Select(_ => (JsonNode)Row())]));

        predict.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await ErrorOf(predict)).ShouldContain("more than 50 rows");
        infer.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        atLimit.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_default_row_limit_is_ten_thousand()
    {
        var row = Row().ToJsonString();
        var rows = "[" + string.Join(",", Enumerable.Repeat(row, 10_001)) + "]";

        using var response = await Host.PostAsync("/predict", rows);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await ErrorOf(response)).ShouldContain("more than 10000 rows");
    }

    [Theory]
    [InlineData("/v2/models/fraud/infer", HttpStatusCode.NotFound, "Model 'fraud' is not served here")]
    [InlineData("/v2/models/churn/versions/1.0.0/infer", HttpStatusCode.NotFound, "no version '1.0.0'")]
    [InlineData("/predict/now", HttpStatusCode.NotFound, "Nothing is served at POST /predict/now")]
    public async Task A_request_for_another_model_or_path_is_a_404(string path, HttpStatusCode status, string message)
    {
        using var response = await Host.PostAsync(path, EvaluationRows.AsInferRequest(fixture.Models.Churn, [Row()]));

        response.StatusCode.ShouldBe(status);
        (await ErrorOf(response)).ShouldContain(message);
    }

    [Fact]
    public async Task A_wrong_method_is_a_405()
    {
        using var get = await Host.Client.GetAsync("/predict");
        using var delete = await Host.Client.DeleteAsync("/v2/models/churn");

        get.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        (await ErrorOf(get)).ShouldBe("GET is not allowed on /predict; use POST.");
        delete.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
    }

    public static TheoryData<string, string, string> InferProblems => new()
    {
        { "wrong datatype", """{"name":"Contract","datatype":"FP32","shape":[1,1],"data":[1]}""", "Input 'Contract' has datatype FP32, but the model takes BYTES (strings) for it." },
        { "wrong shape", """{"name":"Tenure","datatype":"FP32","shape":[1,2],"data":[1,2]}""", "Input 'Tenure' has shape [1, 2], but the model takes one value per row: [N] or [N, 1]." },
        { "data and shape disagree", """{"name":"Tenure","datatype":"FP32","shape":[1,1],"data":[1,2]}""", "Input 'Tenure' has shape [1, 1] (1 values) but its data holds 2." },
        { "wrong element", """{"name":"Tenure","datatype":"FP32","shape":[1],"data":["abc"]}""", "Input 'Tenure' (FP32), element 0: Tenure must be a number, got \"abc\"." },
        { "unknown input", """{"name":"Colour","datatype":"BYTES","shape":[1],"data":["red"]}""", "Input 'Colour' is not an input of the model; it takes Tenure," },
        { "batch sizes differ", """{"name":"Tenure","datatype":"FP32","shape":[2],"data":[1,2]}""", "Input 'MonthlyCharges' has 1 rows but an earlier input has 2" },
    };

    [Theory]
    [MemberData(nameof(InferProblems))]
    public async Task An_inference_request_that_does_not_fit_the_model_is_a_400(string problem, string input, string message)
    {
        // Every other input is right; the one under test replaces its namesake (or is added).
        var request = EvaluationRows.AsInferRequest(fixture.Models.Churn, [Row()]);
        var inputs = request["inputs"]!.AsArray();
        var replacement = JsonNode.Parse(input)!;
        var name = replacement["name"]!.GetValue<string>();
        var index = inputs.Select(i => i!["name"]!.GetValue<string>()).ToList().IndexOf(name);
        if (index >= 0)
            inputs[index] = replacement;
        else
            inputs.Add(replacement);

        using var response = await Host.PostAsync("/v2/models/churn/infer", request);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, problem);
        (await ErrorOf(response)).ShouldStartWith(message, Case.Sensitive, problem);
    }

    [Fact]
    public async Task An_inference_request_missing_an_input_or_asking_for_an_unknown_output_is_a_400()
    {
        var missing = EvaluationRows.AsInferRequest(fixture.Models.Churn, [Row()]);
        missing["inputs"]!.AsArray().RemoveAt(3);
        var unknownOutput = EvaluationRows.AsInferRequest(fixture.Models.Churn, [Row()]);
        unknownOutput["outputs"] = new JsonArray(new JsonObject { ["name"] = "Confidence" });

        using var missingResponse = await Host.PostAsync("/v2/models/churn/infer", missing);
        using var unknownResponse = await Host.PostAsync("/v2/models/churn/infer", unknownOutput);

        (await ErrorOf(missingResponse)).ShouldStartWith("Input 'Contract' is missing");
        (await ErrorOf(unknownResponse)).ShouldBe("Output 'Confidence' is not an output of the model; it has PredictedLabel, Score, Probability.");
    }

    [Fact]
    public async Task The_host_keeps_answering_after_a_storm_of_bad_requests()
    {
        var bad = new[] { "{", "[1,2]", """{"Tenure":"x"}""", "null", new string('[', 5000) };
        var tasks = Enumerable.Range(0, 200).Select(i => Host.PostAsync("/predict", bad[i % bad.Length])).ToList();
        var responses = await Task.WhenAll(tasks);

        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.BadRequest);
        foreach (var response in responses)
            response.Dispose();
        await The_host_still_answers();
    }

    private async Task The_host_still_answers()
    {
        using var response = await Host.PostAsync("/predict", Row());
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        // Each kind of refusal carries its stable code from docs/diagnostics.md.
        body["code"]!.GetValue<string>().ShouldBe(response.StatusCode switch
        {
            HttpStatusCode.RequestEntityTooLarge => "MLOPS7002",
            HttpStatusCode.NotFound => "MLOPS7003",
            HttpStatusCode.MethodNotAllowed => "MLOPS7004",
            _ => "MLOPS7001",
        });
        return body["error"]!.GetValue<string>();
    }
}
