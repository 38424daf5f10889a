using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Testing;

/// <summary>Pipeline definitions rooted in a temp folder, the way the SDK writes them: absolute paths, obj/mlops, bin/*.mlpkg.</summary>
public static class Definitions
{
    public static PipelineDefinition In(TempFolder folder, string labelColumn, IReadOnlyList<string> trainingData, IReadOnlyList<string>? evaluationData = null,
        ModelTask task = ModelTask.BinaryClassification, string trainer = "FastTree", string intermediate = "obj/mlops") => new()
    {
        ModelName = "test-model",
        ModelTask = task,
        LabelColumn = labelColumn,
        Trainer = trainer,
        TrainingData = trainingData,
        EvaluationData = evaluationData ?? [],
        ProjectFile = folder.PathOf("model.mlproj"),
        IntermediateDirectory = folder.PathOf(intermediate),
        PackagePath = folder.PathOf("bin/test-model.mlpkg"),
    };
}
