using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Core.Tests.Support;

/// <summary>A definition over synthetic data for one task, and the runner that builds it.</summary>
public sealed class SyntheticModel
{
    public const int TrainingRows = 600;
    public const int EvaluationRows = 300;

    private readonly PipelineRunner _runner = new(NullLogger.Instance);

    public SyntheticModel(TempFolder folder, ModelTask task, string trainer)
    {
        var (label, rows) = task switch
        {
            ModelTask.BinaryClassification => ("Bought", (Func<int, int, IEnumerable<string>>)SyntheticData.Binary),
            ModelTask.MulticlassClassification => ("Tier", SyntheticData.Multiclass),
            _ => ("Spend", SyntheticData.Regression),
        };
        var training = folder.WriteLines("data/train.csv", rows(TrainingRows, 101));
        var evaluation = folder.WriteLines("data/test.csv", rows(EvaluationRows, 202));
        Definition = Definitions.In(folder, label, [training], [evaluation], task, trainer);
    }

    public PipelineDefinition Definition { get; }

    /// <summary>Validates and trains into the given intermediate folder; returns the ONNX model's bytes.</summary>
    public byte[] Train(string intermediateDirectory)
    {
        var definition = Definition with { IntermediateDirectory = intermediateDirectory };
        _runner.Run(definition, [PipelineStep.Validate, PipelineStep.Train]);
        return File.ReadAllBytes(PipelineWorkspace.For(definition).ModelPath);
    }

    public void Run(params PipelineStep[] steps) => _runner.Run(Definition, steps);
}
