namespace MlOps.Ci.Pipeline;

/// <summary>The files each step reads and writes in the intermediate folder; one place so steps agree on names.</summary>
public sealed record PipelineWorkspace(string IntermediateDirectory)
{
    public string ValidationReportPath => Path.Combine(IntermediateDirectory, "validation.json");
    public string ModelPath => Path.Combine(IntermediateDirectory, "model.onnx");
    public string TrainingReportPath => Path.Combine(IntermediateDirectory, "training.json");
    public string ProfilePath => Path.Combine(IntermediateDirectory, "data-profile.json");
    public string EvaluationReportPath => Path.Combine(IntermediateDirectory, "evaluation.json");
    public string FileHashCachePath => Path.Combine(IntermediateDirectory, "file-hashes.tsv");

    public static PipelineWorkspace For(PipelineDefinition definition) => new(definition.IntermediateDirectory);
}
