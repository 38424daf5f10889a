using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Caching;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Testing;

/// <summary>
/// Three real churn packages trained once: the baseline, a weaker candidate (its AUC falls by more than its gate's
/// MaxDecrease) and a stronger one (more data, more trees).
/// </summary>
public sealed class ChurnPackages : IDisposable
{
    private readonly TempFolder _folder = new();

    public ChurnPackages()
    {
        var data = Path.Combine(RepositoryRoot.Path, "samples", "churn", "data");
        var training = _folder.WriteLines("data/train.csv", File.ReadLines(Path.Combine(data, "train.csv")).Take(1501));
        var moreTraining = _folder.WriteLines("data/train-all.csv", File.ReadLines(Path.Combine(data, "train.csv")));
        var evaluation = _folder.WriteLines("data/test.csv", File.ReadLines(Path.Combine(data, "test.csv")).Take(1001));
        Baseline = Train("baseline", "1.0.0", training, evaluation, trees: 10);
        Weaker = Train("weaker", "1.1.0", training, evaluation, trees: 2);
        Stronger = Train("stronger", "1.2.0", moreTraining, evaluation, trees: 40);
    }

    public string Baseline { get; }
    public string Weaker { get; }
    public string Stronger { get; }

    public double Auc(string package) => ModelPackage.Read(package).Card.Metrics["AUC"];

    private string Train(string folder, string version, string training, string evaluation, int trees)
    {
        var definition = Definitions.In(_folder, "Churned", [training], [evaluation], intermediate: $"{folder}/obj/mlops") with
        {
            ModelName = "churn",
            ModelVersion = version,
            IgnoreColumns = ["CustomerId"],
            Hyperparameters = new Dictionary<string, string> { ["NumberOfTrees"] = $"{trees}", ["NumberOfLeaves"] = "8" },
            QualityGates = [new QualityGate("AUC", Minimum: 0.6, MaxDecrease: 0.005), new QualityGate("LogLoss", Maximum: 0.69)],
            PackagePath = _folder.PathOf($"{folder}/churn.{version}.mlpkg"),
        };
        new PipelineRunner(NullLogger.Instance, new RunOptions { LockMode = LockMode.None, CacheMode = CacheMode.Off })
            .Run(definition, [PipelineStep.Validate, PipelineStep.Train, PipelineStep.Evaluate, PipelineStep.Package]);
        return definition.PackagePath;
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>The sample's held-out rows as /predict takes them: every feature by name, the cells as the CSV holds them.</summary>
    public static List<Dictionary<string, object?>> HeldOutRows()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "samples", "churn", "data", "test.csv"));
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(line => line.Split(','))
            .Select(cells => header.Select((name, index) => (name, cell: cells[index]))
                .Where(c => c.name is not ("CustomerId" or "Churned"))
                .ToDictionary(c => c.name, c => (object?)c.cell))
            .ToList();
    }
}
