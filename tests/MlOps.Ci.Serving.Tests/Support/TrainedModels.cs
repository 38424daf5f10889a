using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Serving.Tests.Support;

/// <summary>One model built through every step (validate, train, evaluate, package): its package and its evaluation rows.</summary>
public sealed record TrainedModel(PipelineDefinition Definition, ValidationReport Validation, string EvaluationFile)
{
    public string PackagePath => Definition.PackagePath;
    public string ModelPath => PipelineWorkspace.For(Definition).ModelPath;

    /// <summary>The evaluation file as the model's columns, loaded the way evaluation loads it.</summary>
    public DataTable EvaluationTable() => DataTable.Load([EvaluationFile], Validation.Schema);
}

/// <summary>
/// Three real packages shared by every serving test: the churn sample (binary, FastTree), and small synthetic
/// multiclass and regression models. Built once per test run, in a temp folder.
/// </summary>
public sealed class TrainedModels : IDisposable
{
    public const int ChurnTrainingRows = 1500;
    public const int ChurnEvaluationRows = 400;

    public TrainedModels()
    {
        Folder = new TempFolder();
        Churn = Build("churn", folder =>
        {
            var training = Copy(folder, "train.csv", ChurnTrainingRows);
            var evaluation = Copy(folder, "test.csv", ChurnEvaluationRows);
            return (Definitions.In(folder, "Churned", [training], [evaluation]) with
            {
                ModelName = "churn",
                ModelVersion = "2.1.0",
                IgnoreColumns = ["CustomerId"],
                Hyperparameters = new Dictionary<string, string> { ["NumberOfTrees"] = "100", ["NumberOfLeaves"] = "16", ["LearningRate"] = "0.05" },
            }, evaluation);
        });
        Multiclass = Build("tiers", folder => Synthetic(folder, "tiers", "Tier", ModelTask.MulticlassClassification, "LightGbm", SyntheticData.Multiclass));
        Regression = Build("spend", folder => Synthetic(folder, "spend", "Spend", ModelTask.Regression, "FastTree", SyntheticData.Regression));
    }

    public TempFolder Folder { get; }
    public TrainedModel Churn { get; }
    public TrainedModel Multiclass { get; }
    public TrainedModel Regression { get; }

    private TrainedModel Build(string name, Func<TempFolder, (PipelineDefinition, string)> define)
    {
        var folder = new TempFolder(Folder.PathOf(name));
        var (definition, evaluation) = define(folder);
        new PipelineRunner(NullLogger.Instance).Run(definition, [PipelineStep.Validate, PipelineStep.Train, PipelineStep.Evaluate, PipelineStep.Package]);
        var validation = MlOpsJson.ReadFile<ValidationReport>(PipelineWorkspace.For(definition).ValidationReportPath, DiagnosticCodes.StepInputMissing, "");
        return new TrainedModel(definition, validation, evaluation);
    }

    private static (PipelineDefinition, string) Synthetic(TempFolder folder, string name, string label, ModelTask task, string trainer,
        Func<int, int, IEnumerable<string>> rows)
    {
        var training = folder.WriteLines("data/train.csv", rows(500, 31));
        var evaluation = folder.WriteLines("data/test.csv", rows(200, 32));
        return (Definitions.In(folder, label, [training], [evaluation], task, trainer) with { ModelName = name, ModelVersion = "1.0.0" }, evaluation);
    }

    private static string Copy(TempFolder folder, string file, int rows) =>
        folder.WriteLines(Path.Combine("data", file), File.ReadLines(Path.Combine(RepositoryRoot.Path, "samples", "churn", "data", file)).Take(rows + 1));

    public void Dispose() => Folder.Dispose();
}
