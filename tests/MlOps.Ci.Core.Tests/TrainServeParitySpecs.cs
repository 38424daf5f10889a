using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Training;

namespace MlOps.Ci.Core.Tests;

/// <summary>
/// Train/serve parity: raw rows scored by the exported ONNX model (featurization inside the graph) give what the
/// in-memory ML.NET pipeline gives — so serving, which only has the ONNX file, featurizes exactly as training did.
/// </summary>
public sealed class TrainServeParitySpecs
{
    public static TheoryData<ModelTask, string, string> Models => new()
    {
        { ModelTask.BinaryClassification, "FastTree", "Probability" },
        { ModelTask.BinaryClassification, "LbfgsLogisticRegression", "Probability" },
        { ModelTask.MulticlassClassification, "LightGbm", "Score" },
        { ModelTask.Regression, "FastForest", "Score" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void The_onnx_model_scores_raw_rows_like_the_mlnet_pipeline(ModelTask task, string trainer, string output)
    {
        using var folder = new TempFolder();
        var (rows, label) = task switch
        {
            ModelTask.BinaryClassification => (SyntheticData.Binary(600, seed: 11), "Bought"),
            ModelTask.MulticlassClassification => (SyntheticData.Multiclass(600, seed: 12), "Tier"),
            _ => (SyntheticData.Regression(600, seed: 13), "Spend"),
        };
        var lines = rows.ToList();
        var training = folder.WriteLines("data/train.csv", lines.Take(401));
        var evaluation = folder.WriteLines("data/test.csv", lines.Take(1).Concat(lines.Skip(401)));
        var definition = Definitions.In(folder, label, [training], [evaluation]) with { ModelTask = task, Trainer = trainer };
        var runner = new PipelineRunner(NullLogger.Instance);
        var validation = runner.Validate(definition);
        runner.Train(definition);

        var trainingTable = DataTable.Load([training], validation.Schema);
        var evaluationTable = DataTable.Load([evaluation], validation.Schema);
        var (ml, model, _, _) = ModelTrainer.Fit(definition, validation, trainingTable);
        var mlnet = ReadColumn(ml, model.Transform(ModelTrainer.ToDataView(evaluationTable, task, validation.Labels, includeLabel: false)), output);
        using var scorer = OnnxScorer.Load(PipelineWorkspace.For(definition).ModelPath);
        var onnx = scorer.Score(evaluationTable)[output].Floats!;

        onnx.Length.ShouldBe(mlnet.Length);
        for (var i = 0; i < onnx.Length; i++)
            onnx[i].ShouldBe(mlnet[i], Math.Max(1e-5, Math.Abs(mlnet[i]) * 1e-5), $"row {i / Math.Max(1, onnx.Length / evaluationTable.RowCount)}");
    }

    private static float[] ReadColumn(MLContext ml, IDataView scored, string name)
    {
        var column = scored.Schema[name];
        if (column.Type is Microsoft.ML.Data.VectorDataViewType)
            return ml.Data.CreateEnumerable<VectorRow>(ml.Transforms.CopyColumns("Values", name).Fit(scored).Transform(scored), reuseRowObject: false)
                .SelectMany(r => r.Values).ToArray();
        return ml.Data.CreateEnumerable<ScalarRow>(ml.Transforms.CopyColumns("Value", name).Fit(scored).Transform(scored), reuseRowObject: false)
            .Select(r => r.Value).ToArray();
    }

    private sealed class ScalarRow
    {
        public float Value { get; set; }
    }

    private sealed class VectorRow
    {
        public float[] Values { get; set; } = [];
    }
}
