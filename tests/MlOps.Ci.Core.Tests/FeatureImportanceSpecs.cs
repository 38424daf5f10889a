using System.Text.Json;
using System.Text.Json.Nodes;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Evaluation;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;

namespace MlOps.Ci.Core.Tests;

/// <summary>Permutation feature importance of the shared churn model, as EvaluateModel records it and the card carries it.</summary>
[Collection(TrainedChurnModelCollection.Name)]
public sealed class FeatureImportanceSpecs(TrainedChurnModel model)
{
    private readonly ModelCard _card = ModelPackage.Read(model.Definition.PackagePath).Card;

    [Fact]
    public void The_card_has_the_drop_of_AUC_for_every_model_input_largest_first()
    {
        var importance = _card.FeatureImportance.ShouldNotBeNull();

        importance.Metric.ShouldBe("AUC");
        importance.Rows.ShouldBe(TrainedChurnModel.EvaluationRows);
        importance.Features.Select(f => f.Feature).ShouldBe(_card.Signature.Inputs.Select(i => i.Name), ignoreOrder: true);
        importance.Features.Select(f => f.MetricDrop).ShouldBeInOrder(SortDirection.Descending);
        importance.ShouldBeEquivalentTo(model.Evaluation.FeatureImportance);
    }

    [Fact]
    public void A_feature_that_drives_churn_ranks_above_one_the_generator_ignores()
    {
        // generate_data.py: Contract moves the churn logit by up to 3 points; Region is drawn but never used.
        var features = _card.FeatureImportance!.Features.Select(f => f.Feature).ToList();
        var drops = _card.FeatureImportance.Features.ToDictionary(f => f.Feature, f => f.MetricDrop);

        features.IndexOf("Contract").ShouldBeLessThan(features.IndexOf("Region"));
        drops["Contract"].ShouldBeGreaterThan(0.01);
        Math.Abs(drops["Region"]).ShouldBeLessThan(drops["Contract"] / 4);
    }

    [Fact]
    public void Evaluating_again_gives_identical_importance()
    {
        using var scorer = OnnxScorer.Load(model.Workspace.ModelPath);
        var table = DataTable.Load([model.EvaluationFile], model.Validation.Schema);

        var again = PermutationImportances.Compute(scorer, model.Definition.ModelTask, table, model.Validation.Labels, model.Definition.Seed);

        again.ShouldBeEquivalentTo(model.Evaluation.FeatureImportance);
    }

    [Fact]
    public void A_large_evaluation_set_is_sampled_down_to_the_cap_the_same_way_each_time()
    {
        using var scorer = OnnxScorer.Load(model.Workspace.ModelPath);
        var table = DataTable.Load([model.EvaluationFile], model.Validation.Schema);
        var large = table.Select(Enumerable.Range(0, PermutationImportances.MaxRows + 1500).Select(i => i % table.RowCount).ToList());

        var first = PermutationImportances.Compute(scorer, model.Definition.ModelTask, large, model.Validation.Labels, model.Definition.Seed)!;
        var second = PermutationImportances.Compute(scorer, model.Definition.ModelTask, large, model.Validation.Labels, model.Definition.Seed)!;

        first.Rows.ShouldBe(PermutationImportances.MaxRows);
        second.ShouldBeEquivalentTo(first);
    }

    [Fact]
    public void A_card_and_an_evaluation_report_written_before_importance_existed_still_read()
    {
        var card = JsonNode.Parse(MlOpsJson.Serialize(_card))!.AsObject();
        card.Remove("featureImportance").ShouldBeTrue();
        var evaluation = JsonNode.Parse(MlOpsJson.Serialize(model.Evaluation))!.AsObject();
        evaluation.Remove("featureImportance").ShouldBeTrue();
        evaluation.Remove("importanceSeconds").ShouldBeTrue();

        JsonSerializer.Deserialize<ModelCard>(card.ToJsonString(), MlOpsJson.Options)!.FeatureImportance.ShouldBeNull();
        JsonSerializer.Deserialize<EvaluationReport>(evaluation.ToJsonString(), MlOpsJson.Options)!.FeatureImportance.ShouldBeNull();
    }
}
