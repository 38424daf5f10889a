using System.Text.Json;
using System.Text.Json.Nodes;
using MlOps.Ci.Containers.SmokeTesting;
using MlOps.Ci.Containers.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Containers.Tests;

/// <summary>What the smoke test sends and how it judges the answer, without an engine: the package's own predictions as the served answer.</summary>
[Collection(ContainerCollection.Name)]
public sealed class SmokeComparisonSpecs(ContainerEnvironment environment)
{
    [Fact]
    public void Rows_made_from_the_profile_take_the_median_and_the_most_frequent_category_and_end_with_a_row_of_missing_values()
    {
        var package = environment.Models.Package;

        var rows = SmokeRows.FromProfile(package);

        rows.Count.ShouldBe(8);
        var body = JsonNode.Parse(rows.ToRequestBody())!["rows"]!.AsArray();
        body.Count.ShouldBe(8);
        var tenure = package.Profile.Columns.Single(c => c.Name == "Tenure");
        ((double)body[0]!["Tenure"]!).ShouldBe(tenure.Quantiles!["0.5"], 1e-4);
        ((string)body[0]!["Contract"]!).ShouldBe(package.Profile.Columns.Single(c => c.Name == "Contract").TopCategories![0].Value);
        body[0]!["SeniorCitizen"]!.GetValueKind().ShouldBe(JsonValueKind.False);
        body[7]!.AsObject().Select(p => p.Value).ShouldAllBe(v => v == null);
        body[0]!.AsObject().Select(p => p.Key).ShouldBe(package.Card.Signature.Inputs.Select(i => i.Name));
    }

    [Fact]
    public void An_answer_within_the_tolerance_passes_and_the_first_row_beyond_it_is_named_with_both_values()
    {
        var package = environment.Models.Package;
        var rows = SmokeRows.FromCsv(package, environment.Models.EvaluationFile, 10);
        var expected = ExpectedPredictions.Score(package, rows, environment.Models.PackagePath);
        var answer = Answer(expected, (row, prediction) => row == 3 ? prediction with { Probability = prediction.Probability + 1e-3 } : prediction);

        expected.Compare(Answer(expected, (_, p) => p with { Probability = p.Probability + 5e-6 }), 1e-5, "image").ShouldBeLessThan(1e-5);
        var failure = Should.Throw<MlOpsException>(() => expected.Compare(answer, 1e-5, "image"));

        failure.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.SmokeTestMismatch);
        failure.Message.ShouldContain("for row 3 of");
        failure.Message.ShouldContain("probability");
        failure.Diagnostics[0].Location!.Line.ShouldBe(5);
        Should.Throw<MlOpsException>(() => expected.Compare(Answer(expected, (row, p) => row == 0 ? p with { Label = "nonsense" } : p), 1e-5, "image"))
            .Message.ShouldContain("predictedLabel 'nonsense'");
    }

    [Fact]
    public void Rows_from_a_csv_without_a_model_input_are_refused_naming_it()
    {
        using var folder = new TempFolder();
        var csv = folder.Write("rows.csv", "Tenure,Contract\n1,Month-to-month\n");

        var failure = Should.Throw<MlOpsException>(() => SmokeRows.FromCsv(environment.Models.Package, csv, 10));

        failure.Diagnostics[0].Code.ShouldBe(DiagnosticCodes.EvaluationColumnsDiffer);
        failure.Message.ShouldContain("MonthlyCharges");
    }

    /// <summary>A /predict answer holding the package's own predictions, changed as the test says.</summary>
    private static JsonElement Answer(ExpectedPredictions expected, Func<int, Prediction, Prediction> change)
    {
        var predictions = new JsonArray();
        for (var row = 0; row < expected.Predictions.Count; row++)
        {
            var prediction = change(row, expected.Predictions[row]);
            predictions.Add(new JsonObject { ["predictedLabel"] = prediction.Label, ["probability"] = prediction.Probability, ["score"] = prediction.Score });
        }
        return JsonDocument.Parse(new JsonObject { ["model"] = "churn", ["predictions"] = predictions }.ToJsonString()).RootElement.Clone();
    }
}
