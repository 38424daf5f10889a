using Microsoft.ML;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Evaluation;

namespace MlOps.Ci.Core.Tests;

/// <summary>
/// What evaluation measures is what ML.NET would measure: the metrics we compute from the ONNX model's outputs agree
/// with ML.NET's own binary evaluator over the very same outputs.
/// </summary>
[Collection(TrainedChurnModelCollection.Name)]
public sealed class ParitySpecs(TrainedChurnModel model)
{
    private sealed class ScoredRow
    {
        public bool Label { get; set; }
        public float Score { get; set; }
        public float Probability { get; set; }
        public bool PredictedLabel { get; set; }
    }

    private (DataTable Table, IReadOnlyDictionary<string, ScoredOutput> Outputs) ScoreEvaluationData()
    {
        var table = DataTable.Load([model.EvaluationFile], model.Validation.Schema);
        using var scorer = OnnxScorer.Load(model.Workspace.ModelPath);
        return (table, scorer.Score(table));
    }

    [Fact]
    public void The_onnx_model_gives_one_score_probability_and_label_per_row()
    {
        var (table, outputs) = ScoreEvaluationData();

        table.RowCount.ShouldBe(TrainedChurnModel.EvaluationRows);
        outputs["Score"].Floats.ShouldNotBeNull().Length.ShouldBe(table.RowCount);
        outputs["Probability"].Floats.ShouldNotBeNull().ShouldAllBe(p => p >= 0 && p <= 1);
        outputs["PredictedLabel"].Booleans.ShouldNotBeNull().Length.ShouldBe(table.RowCount);
        // ML.NET's binary trainers predict the positive class exactly when the raw score is above zero.
        var scores = outputs["Score"].Floats!;
        outputs["PredictedLabel"].Booleans!.Select((predicted, i) => predicted == scores[i] > 0).ShouldAllBe(agrees => agrees);
    }

    [Fact]
    public void The_evaluation_report_holds_the_metrics_of_the_onnx_outputs()
    {
        var (table, outputs) = ScoreEvaluationData();

        var metrics = ModelEvaluator.ComputeMetrics(model.Definition.ModelTask, table, model.Validation.Labels, outputs);

        metrics.ShouldBe(model.Evaluation.Metrics);
    }

    [Fact]
    public void Our_binary_metrics_agree_with_the_ML_NET_evaluator()
    {
        var (table, outputs) = ScoreEvaluationData();
        var truth = ((TextColumn)table.Label).Values.Select(model.Validation.Labels.IsPositive).ToArray();
        var rows = truth.Select((label, i) => new ScoredRow
        {
            Label = label,
            Score = outputs["Score"].Floats![i],
            Probability = outputs["Probability"].Floats![i],
            PredictedLabel = outputs["PredictedLabel"].Booleans![i],
        }).ToList();
        var ml = new MLContext(seed: 0);

        var reference = ml.BinaryClassification.Evaluate(ml.Data.LoadFromEnumerable(rows));
        var ours = Metrics.Binary(truth, rows.Select(r => r.Probability).ToArray(), rows.Select(r => r.PredictedLabel).ToArray());

        ours["AUC"].ShouldBe(reference.AreaUnderRocCurve, 1e-6);
        ours["Accuracy"].ShouldBe(reference.Accuracy, 1e-6);
        ours["F1Score"].ShouldBe(reference.F1Score, 1e-6);
        ours["Precision"].ShouldBe(reference.PositivePrecision, 1e-6);
        ours["Recall"].ShouldBe(reference.PositiveRecall, 1e-6);
        // ML.NET reports binary log-loss in bits (log base 2); ours is in nats like scikit-learn's and LightGBM's.
        ours["LogLoss"].ShouldBe(reference.LogLoss * Math.Log(2), 1e-6);
    }
}
