using System.Text.Json.Nodes;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Serving.Tests.Support;

namespace MlOps.Ci.Serving.Tests;

/// <summary>POST /predict answers what evaluation measured: the same ONNX model, scored the same way, row for row.</summary>
[Collection(ServingCollection.Name)]
public sealed class PredictSpecs(ServingFixture fixture)
{
    private TrainedModels Models => fixture.Models;

    [Fact]
    public async Task Predictions_for_the_evaluation_rows_equal_what_evaluation_scored()
    {
        var rows = EvaluationRows.Of(Models.Churn);
        using var scorer = OnnxScorer.Load(Models.Churn.ModelPath);
        var expected = scorer.Score(Models.Churn.EvaluationTable());

        var answer = await fixture.Churn.PostOkAsync("/predict", new JsonObject { ["rows"] = new JsonArray([.. rows]) });

        answer["model"]!.GetValue<string>().ShouldBe("churn");
        answer["version"]!.GetValue<string>().ShouldBe("2.1.0");
        var predictions = answer["predictions"]!.AsArray();
        predictions.Count.ShouldBe(rows.Count);
        var probability = expected["Probability"].Floats!;
        var score = expected["Score"].Floats!;
        var label = expected["PredictedLabel"].Booleans!;
        for (var i = 0; i < rows.Count; i++)
        {
            predictions[i]!["probability"]!.GetValue<double>().ShouldBe(probability[i], 1e-6, $"row {i}");
            predictions[i]!["score"]!.GetValue<double>().ShouldBe(score[i], 1e-5, $"row {i}");
            predictions[i]!["predictedLabel"]!.GetValue<string>().ShouldBe(label[i] ? "Yes" : "No", $"row {i}");
        }
    }

    [Fact]
    public async Task One_row_an_array_of_rows_and_a_rows_object_give_the_same_predictions()
    {
        var rows = EvaluationRows.Of(Models.Churn).Take(3).ToList();

        var single = new List<JsonNode>();
        foreach (var row in rows)
            single.Add((await fixture.Churn.PostOkAsync("/predict", row))["predictions"]![0]!);
        var array = await fixture.Churn.PostOkAsync("/predict", new JsonArray([.. rows.Select(r => r.DeepClone())]));
        var wrapped = await fixture.Churn.PostOkAsync("/predict", new JsonObject { ["rows"] = new JsonArray([.. rows.Select(r => r.DeepClone())]) });

        var singles = single.Select(p => p.ToJsonString()).ToList();
        array["predictions"]!.AsArray().Select(p => p!.ToJsonString()).ShouldBe(singles);
        wrapped["predictions"]!.AsArray().Select(p => p!.ToJsonString()).ShouldBe(singles);
    }

    [Fact]
    public async Task Concurrent_requests_of_different_sizes_each_get_their_own_answers()
    {
        // Pooled buffers and cached tensors must never mix requests: batches of 1, 2 and 3 rows, many at once.
        var rows = EvaluationRows.Of(Models.Churn).Take(60).ToList();
        var batches = Enumerable.Range(0, 30).Select(i => rows.Skip(i * 2).Take(1 + i % 3).ToList()).Where(b => b.Count > 0).ToList();
        var expected = new List<string>();
        foreach (var batch in batches)
            expected.Add((await fixture.Churn.PostOkAsync("/predict", new JsonArray([.. batch.Select(r => r.DeepClone())])))["predictions"]!.ToJsonString());

        for (var round = 0; round < 5; round++)
        {
            var answers = await Task.WhenAll(batches.Select(batch => fixture.Churn.PostOkAsync("/predict", new JsonArray([.. batch.Select(r => r.DeepClone())]))));

            answers.Select(a => a["predictions"]!.ToJsonString()).ShouldBe(expected);
        }
    }

    [Fact]
    public async Task Values_are_read_the_way_training_read_the_csv()
    {
        var row = EvaluationRows.Of(Models.Churn)[0];
        var baseline = (await fixture.Churn.PostOkAsync("/predict", row))["predictions"]![0]!.ToJsonString();
        var spelled = (JsonObject)row.DeepClone();
        // Numbers as text, booleans in every spelling training accepts, categories with stray spaces.
        spelled["Tenure"] = row["Tenure"]!.GetValue<float>().ToString(System.Globalization.CultureInfo.InvariantCulture);
        spelled["SeniorCitizen"] = row["SeniorCitizen"]!.GetValue<string>() == "Yes" ? true : false;
        spelled["Contract"] = $"  {row["Contract"]!.GetValue<string>()} ";

        var answer = (await fixture.Churn.PostOkAsync("/predict", spelled))["predictions"]![0]!.ToJsonString();

        answer.ShouldBe(baseline);
    }

    [Fact]
    public async Task An_explicit_null_is_a_missing_value_as_an_empty_csv_cell_is()
    {
        var row = (JsonObject)EvaluationRows.Of(Models.Churn)[0].DeepClone();
        row["MonthlyCharges"] = null;
        row["Contract"] = null;
        row["SeniorCitizen"] = null;
        var missingMarkers = (JsonObject)row.DeepClone();
        missingMarkers["MonthlyCharges"] = "NA";
        missingMarkers["Contract"] = "";
        missingMarkers["SeniorCitizen"] = "N/A";

        var withNulls = (await fixture.Churn.PostOkAsync("/predict", row))["predictions"]![0]!;
        var withMarkers = (await fixture.Churn.PostOkAsync("/predict", missingMarkers))["predictions"]![0]!;

        withNulls["probability"]!.GetValue<double>().ShouldBeInRange(0, 1);
        withMarkers.ToJsonString().ShouldBe(withNulls.ToJsonString());
    }

    [Fact]
    public async Task A_multiclass_model_answers_its_class_and_a_score_per_class()
    {
        var model = Models.Multiclass;
        var rows = EvaluationRows.Of(model);
        using var scorer = OnnxScorer.Load(model.ModelPath);
        var expected = scorer.Score(model.EvaluationTable());
        await using var host = await fixture.StartAsync(model);

        var predictions = (await host.PostOkAsync("/predict", new JsonArray([.. rows])))["predictions"]!.AsArray();

        var classes = new[] { "Bronze", "Gold", "Silver" };
        var scores = expected["Score"];
        scores.Width.ShouldBe(3);
        for (var i = 0; i < rows.Count; i++)
        {
            predictions[i]!["predictedLabel"]!.GetValue<string>().ShouldBe(expected["PredictedLabel"].Strings![i]);
            var answered = predictions[i]!["scores"]!.AsObject();
            answered.Select(p => p.Key).ShouldBe(classes);
            for (var c = 0; c < classes.Length; c++)
                answered[classes[c]]!.GetValue<double>().ShouldBe(scores.Floats![i * 3 + c], 1e-6);
        }
    }

    [Fact]
    public async Task A_regression_model_answers_its_score()
    {
        var model = Models.Regression;
        var rows = EvaluationRows.Of(model);
        using var scorer = OnnxScorer.Load(model.ModelPath);
        var expected = scorer.Score(model.EvaluationTable())["Score"].Floats!;
        await using var host = await fixture.StartAsync(model);

        var answer = await host.PostOkAsync("/predict", new JsonObject { ["rows"] = new JsonArray([.. rows]) });

        answer["model"]!.GetValue<string>().ShouldBe("spend");
        var predictions = answer["predictions"]!.AsArray();
        predictions.Count.ShouldBe(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            predictions[i]!.AsObject().Select(p => p.Key).ShouldBe(["score"]);
            predictions[i]!["score"]!.GetValue<double>().ShouldBe(expected[i], Math.Max(1e-5, Math.Abs(expected[i]) * 1e-6));
        }
    }
}
