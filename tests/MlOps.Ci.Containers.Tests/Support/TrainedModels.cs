using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Containers.Tests.Support;

/// <summary>
/// Real model packages, trained once per test run through every step of the pipeline on a slice of the churn sample:
/// the one the images serve, and a second model of the same data (other trees) for a smoke test that must fail.
/// </summary>
public sealed class TrainedModels : IDisposable
{
    public const string ModelName = "churn";
    public const string ModelVersion = "2.1.0";
    private readonly TempFolder _folder = new();

    public TrainedModels()
    {
        var data = Path.Combine(RepositoryRoot.Path, "samples", "churn", "data");
        TrainingFile = _folder.Write("data/train.csv", string.Join("\n", File.ReadLines(Path.Combine(data, "train.csv")).Take(1201)) + "\n");
        EvaluationFile = _folder.Write("data/test.csv", string.Join("\n", File.ReadLines(Path.Combine(data, "test.csv")).Take(401)) + "\n");
        PackagePath = Train("churn", seed: 42, trees: 60);
        OtherPackagePath = Train("other", seed: 7, trees: 20);
        Package = ModelPackage.Read(PackagePath);
    }

    public string TrainingFile { get; }
    public string EvaluationFile { get; }
    public string PackagePath { get; }

    /// <summary>A different model of the same columns: same name and version, other predictions.</summary>
    public string OtherPackagePath { get; }

    public ModelPackage Package { get; }

    private string Train(string folder, int seed, int trees)
    {
        var definition = new PipelineDefinition
        {
            ModelName = ModelName,
            ModelVersion = ModelVersion,
            LabelColumn = "Churned",
            Seed = seed,
            TrainingData = [TrainingFile],
            EvaluationData = [EvaluationFile],
            IgnoreColumns = ["CustomerId"],
            Hyperparameters = new Dictionary<string, string> { ["NumberOfTrees"] = trees.ToString(System.Globalization.CultureInfo.InvariantCulture), ["NumberOfLeaves"] = "8" },
            QualityGates = [new QualityGate("AUC", Minimum: 0.6)],
            ProjectFile = _folder.PathOf($"{folder}/churn.mlproj"),
            IntermediateDirectory = _folder.PathOf($"{folder}/obj/mlops"),
            PackagePath = _folder.PathOf($"{folder}/bin/churn.{ModelVersion}.mlpkg"),
        };
        new PipelineRunner(NullLogger.Instance).Run(definition, [PipelineStep.Validate, PipelineStep.Train, PipelineStep.Evaluate, PipelineStep.Package]);
        return definition.PackagePath;
    }

    public void Dispose() => _folder.Dispose();
}
