using System.Text.Json.Nodes;
using MlOps.Ci.Serving.Tests.Support;

namespace MlOps.Ci.Serving.Tests;

/// <summary>POST /v2/models/{name}/infer, the Open Inference Protocol: the same model, the same answers as /predict, as tensors.</summary>
[Collection(ServingCollection.Name)]
public sealed class InferSpecs(ServingFixture fixture)
{
    private TrainedModels Models => fixture.Models;

    [Fact]
    public async Task An_inference_request_answers_what_predict_answers()
    {
        var rows = EvaluationRows.Of(Models.Churn);
        var predict = (await fixture.Churn.PostOkAsync("/predict", new JsonArray([.. rows.Select(r => r.DeepClone())])))["predictions"]!.AsArray();

        var answer = await fixture.Churn.PostOkAsync("/v2/models/churn/infer", EvaluationRows.AsInferRequest(Models.Churn, rows, id: "batch-7"));

        answer["model_name"]!.GetValue<string>().ShouldBe("churn");
        answer["model_version"]!.GetValue<string>().ShouldBe("2.1.0");
        answer["id"]!.GetValue<string>().ShouldBe("batch-7");
        var outputs = answer["outputs"]!.AsArray().ToDictionary(o => o!["name"]!.GetValue<string>(), o => o!);
        outputs.Keys.ShouldBe(["PredictedLabel", "Score", "Probability"], ignoreOrder: true);
        outputs["Probability"]["datatype"]!.GetValue<string>().ShouldBe("FP32");
        outputs["Probability"]["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ShouldBe([rows.Count, 1]);
        outputs["PredictedLabel"]["datatype"]!.GetValue<string>().ShouldBe("BOOL");
        var probability = outputs["Probability"]["data"]!.AsArray();
        var score = outputs["Score"]["data"]!.AsArray();
        var label = outputs["PredictedLabel"]["data"]!.AsArray();
        for (var i = 0; i < rows.Count; i++)
        {
            probability[i]!.GetValue<double>().ShouldBe(predict[i]!["probability"]!.GetValue<double>());
            score[i]!.GetValue<double>().ShouldBe(predict[i]!["score"]!.GetValue<double>());
            (label[i]!.GetValue<bool>() ? "Yes" : "No").ShouldBe(predict[i]!["predictedLabel"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task A_request_can_name_the_version_ask_for_some_outputs_and_nest_its_data()
    {
        var rows = EvaluationRows.Of(Models.Churn).Take(2).ToList();
        var request = EvaluationRows.AsInferRequest(Models.Churn, rows);
        // The natural [N, 1] layout instead of the flat one, and [N] shapes: both are the protocol's.
        foreach (var input in request["inputs"]!.AsArray())
        {
            var data = input!["data"]!.AsArray();
            input["data"] = new JsonArray([.. data.Select(v => (JsonNode)new JsonArray(v?.DeepClone()))]);
            input["shape"] = new JsonArray(rows.Count);
        }
        request["outputs"] = new JsonArray(new JsonObject { ["name"] = "Probability" });
        var flat = await fixture.Churn.PostOkAsync("/v2/models/churn/infer", EvaluationRows.AsInferRequest(Models.Churn, rows));

        var answer = await fixture.Churn.PostOkAsync("/v2/models/churn/versions/2.1.0/infer", request);

        var output = answer["outputs"]!.AsArray().ShouldHaveSingleItem()!;
        output["name"]!.GetValue<string>().ShouldBe("Probability");
        var expected = flat["outputs"]!.AsArray().Single(o => o!["name"]!.GetValue<string>() == "Probability")!;
        output["data"]!.ToJsonString().ShouldBe(expected["data"]!.ToJsonString());
        answer["id"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task A_multiclass_model_answers_its_label_and_score_tensors()
    {
        var model = Models.Multiclass;
        var rows = EvaluationRows.Of(model).Take(20).ToList();
        await using var host = await fixture.StartAsync(model);
        var predict = (await host.PostOkAsync("/predict", new JsonArray([.. rows.Select(r => r.DeepClone())])))["predictions"]!.AsArray();

        var answer = await host.PostOkAsync("/v2/models/tiers/infer", EvaluationRows.AsInferRequest(model, rows));

        var outputs = answer["outputs"]!.AsArray().ToDictionary(o => o!["name"]!.GetValue<string>(), o => o!);
        outputs["PredictedLabel"]["datatype"]!.GetValue<string>().ShouldBe("BYTES");
        outputs["Score"]["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ShouldBe([rows.Count, 3]);
        var labels = outputs["PredictedLabel"]["data"]!.AsArray();
        var scores = outputs["Score"]["data"]!.AsArray();
        for (var i = 0; i < rows.Count; i++)
        {
            labels[i]!.GetValue<string>().ShouldBe(predict[i]!["predictedLabel"]!.GetValue<string>());
            scores[i * 3 + 1]!.GetValue<double>().ShouldBe(predict[i]!["scores"]!["Gold"]!.GetValue<double>());
        }
    }
}
