using MlOps.Ci.Evaluation;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Core.Tests;

/// <summary>The metric formulas, on examples small enough to work out by hand.</summary>
public sealed class MetricsSpecs
{
    [Fact]
    public void AUC_counts_a_tied_positive_and_negative_as_half_a_correct_ordering()
    {
        // Positives score 0.9, 0.5, 0.3; negatives 0.9, 0.5, 0.1. Of the nine pairs, five are ordered right when the
        // two ties count one half each: (0.9>0.5) (0.9>0.1) (0.5>0.1) (0.3>0.1) + ½(0.9=0.9) + ½(0.5=0.5).
        bool[] labels = [true, false, true, false, true, false];
        float[] scores = [0.9f, 0.9f, 0.5f, 0.5f, 0.3f, 0.1f];

        Metrics.AreaUnderRocCurve(labels, scores).ShouldBe(5.0 / 9, 1e-12);
    }

    [Theory]
    [InlineData(new[] { 0.1f, 0.2f, 0.8f, 0.9f }, 1.0)]
    [InlineData(new[] { 0.9f, 0.8f, 0.2f, 0.1f }, 0.0)]
    [InlineData(new[] { 0.5f, 0.5f, 0.5f, 0.5f }, 0.5)]
    [InlineData(new[] { 0.1f, 0.8f, 0.2f, 0.9f }, 0.75)]
    public void AUC_is_one_for_a_perfect_ranking_zero_for_an_inverted_one_and_a_half_when_all_tie(float[] scores, double expected)
    {
        bool[] labels = [false, false, true, true];

        Metrics.AreaUnderRocCurve(labels, scores).ShouldBe(expected, 1e-12);
    }

    [Fact]
    public void AUC_is_undefined_without_both_classes()
    {
        double.IsNaN(Metrics.AreaUnderRocCurve([true, true], [0.2f, 0.7f])).ShouldBeTrue();
    }

    [Fact]
    public void Binary_metrics_follow_the_confusion_matrix()
    {
        // tp = 2, fp = 1, fn = 1, tn = 1.
        bool[] labels = [true, true, true, false, false];
        bool[] predicted = [true, true, false, true, false];
        float[] probabilities = [0.9f, 0.6f, 0.4f, 0.7f, 0.2f];

        var metrics = Metrics.Binary(labels, probabilities, predicted);

        metrics["Accuracy"].ShouldBe(3.0 / 5, 1e-12);
        metrics["Precision"].ShouldBe(2.0 / 3, 1e-12);
        metrics["Recall"].ShouldBe(2.0 / 3, 1e-12);
        metrics["F1Score"].ShouldBe(2.0 / 3, 1e-12);
        var logLoss = -(Math.Log(0.9f) + Math.Log(0.6f) + Math.Log(0.4f) + Math.Log(1 - (double)0.7f) + Math.Log(1 - (double)0.2f)) / 5;
        metrics["LogLoss"].ShouldBe(logLoss, 1e-9);
    }

    [Fact]
    public void Multiclass_accuracy_is_micro_over_rows_and_macro_over_classes()
    {
        // Three rows of class 0 (two right), one row of class 1 (right).
        int[] labels = [0, 0, 0, 1];
        float[] scores = [0.8f, 0.2f, 0.6f, 0.4f, 0.3f, 0.7f, 0.1f, 0.9f];

        var metrics = Metrics.Multiclass(labels, scores, classCount: 2);

        metrics["MicroAccuracy"].ShouldBe(3.0 / 4, 1e-12);
        metrics["MacroAccuracy"].ShouldBe((2.0 / 3 + 1) / 2, 1e-12);
        metrics["LogLoss"].ShouldBe(-(Math.Log(0.8f) + Math.Log(0.6f) + Math.Log(0.3f) + Math.Log(0.9f)) / 4, 1e-9);
    }

    [Fact]
    public void Regression_metrics_match_their_definitions()
    {
        float[] labels = [1, 2, 3, 4];
        float[] predictions = [1, 2, 4, 3];

        var metrics = Metrics.Regression(labels, predictions);

        // Errors 0, 0, -1, 1; the labels' squared deviations from their mean 2.5 sum to 5.
        metrics["MAE"].ShouldBe(2.0 / 4, 1e-12);
        metrics["RMSE"].ShouldBe(Math.Sqrt(2.0 / 4), 1e-12);
        metrics["RSquared"].ShouldBe(1 - 2.0 / 5, 1e-12);
    }

    [Theory]
    [InlineData("auc", "AUC")]
    [InlineData("AreaUnderRocCurve", "AUC")]
    [InlineData("F1", "F1Score")]
    [InlineData("Banana", null)]
    public void Gate_metric_names_resolve_case_insensitively_and_through_aliases(string name, string? canonical)
    {
        Metrics.Canonical(ModelTask.BinaryClassification, name).ShouldBe(canonical);
    }
}
