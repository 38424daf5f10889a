using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Training;

namespace MlOps.Ci.Core.Tests;

/// <summary>Every trainer a project can name trains, exports to ONNX, evaluates, and keeps its determinism promise.</summary>
public sealed class TrainerCatalogSpecs : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<ModelTask, string> Trainers()
    {
        var data = new TheoryData<ModelTask, string>();
        foreach (var trainer in TrainerCatalog.All)
            data.Add(trainer.Task, trainer.Name);
        return data;
    }

    private static TrainerDescriptor Descriptor(ModelTask task, string trainer) => TrainerCatalog.All.Single(t => t.Task == task && t.Name == trainer);

    [Theory]
    [MemberData(nameof(Trainers))]
    public void A_trainer_marked_deterministic_gives_a_byte_identical_model_on_a_clean_retrain(ModelTask task, string trainer)
    {
        var model = new SyntheticModel(_folder, task, trainer);

        var first = model.Train(_folder.PathOf("obj/first"));
        var second = model.Train(_folder.PathOf("obj/second"));

        first.Length.ShouldBeGreaterThan(0);
        if (Descriptor(task, trainer).Deterministic)
            ContentHash.OfBytes(second).ShouldBe(ContentHash.OfBytes(first), $"{trainer} ({task}) is marked deterministic in the trainer catalog");
    }

    [Theory]
    [MemberData(nameof(Trainers))]
    public void A_trainer_builds_a_model_that_beats_chance_on_learnable_data(ModelTask task, string trainer)
    {
        var model = new SyntheticModel(_folder, task, trainer);

        model.Run(PipelineStep.Validate, PipelineStep.Train, PipelineStep.Evaluate, PipelineStep.Package);

        var card = ModelPackage.Read(model.Definition.PackagePath).Card;
        card.Task.ShouldBe(task);
        card.Trainer.Name.ShouldBe(trainer);
        switch (task)
        {
            case ModelTask.BinaryClassification:
                card.Metrics["AUC"].ShouldBeGreaterThan(0.75);
                break;
            case ModelTask.MulticlassClassification:
                var majority = MajorityShare(model.Definition.EvaluationData[0], model.Definition.LabelColumn);
                card.Metrics["MicroAccuracy"].ShouldBeGreaterThan(majority + 0.1, $"the majority class alone scores {majority:0.###}");
                card.Metrics["MacroAccuracy"].ShouldBeGreaterThan(1.0 / 3 + 0.1);
                card.Signature.Classes.ShouldBe(["Bronze", "Gold", "Silver"]);
                // ML.NET's exporter also leaves a "mlnet.Score.unusedOutput" in multiclass graphs; the two that matter must be there.
                card.Signature.Outputs.Select(o => Evaluation.OnnxScorer.ColumnNameOf(o.Name)).ShouldBeSubsetOf(["PredictedLabel", "Score", "mlnet.Score.unusedOutput"]);
                card.Signature.Outputs.Select(o => Evaluation.OnnxScorer.ColumnNameOf(o.Name)).ShouldContain("PredictedLabel");
                card.Signature.Outputs.Single(o => Evaluation.OnnxScorer.ColumnNameOf(o.Name) == "Score").Shape.ShouldBe([-1, 3]);
                break;
            case ModelTask.Regression:
                card.Metrics["RSquared"].ShouldBeGreaterThan(0.5);
                card.Signature.Classes.ShouldBeNull();
                break;
        }
    }

    private static double MajorityShare(string file, string label)
    {
        var lines = File.ReadLines(file).ToList();
        var index = Array.IndexOf(lines[0].Split(','), label);
        return lines.Skip(1).GroupBy(l => l.Split(',')[index]).Max(g => g.Count()) / (double)(lines.Count - 1);
    }
}
