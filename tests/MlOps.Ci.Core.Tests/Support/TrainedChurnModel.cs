using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.IO;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Core.Tests.Support;

/// <summary>
/// The churn sample built once through every step (validate, train, evaluate, package) and shared by the tests that
/// only read its outputs; tests that change anything copy its intermediate folder first.
/// </summary>
public sealed class TrainedChurnModel : IDisposable
{
    public const int TrainingRows = 1500;
    public const int EvaluationRows = 1000;

    public TrainedChurnModel()
    {
        Folder = new TempFolder();
        TrainingFile = ChurnSample.Copy(Folder, "train.csv", TrainingRows);
        EvaluationFile = ChurnSample.Copy(Folder, "test.csv", EvaluationRows);
        Definition = Definitions.In(Folder, ChurnSample.Label, [TrainingFile], [EvaluationFile]) with
        {
            ModelName = "churn",
            ModelVersion = "2.1.0",
            IgnoreColumns = [ChurnSample.Identifier],
            Hyperparameters = new Dictionary<string, string> { ["NumberOfTrees"] = "100", ["NumberOfLeaves"] = "16", ["LearningRate"] = "0.05" },
            QualityGates = [new QualityGate("AUC", Minimum: 0.75), new QualityGate("LogLoss", Maximum: 0.6)],
        };
        new PipelineRunner(NullLogger.Instance).Run(Definition, [PipelineStep.Validate, PipelineStep.Train, PipelineStep.Evaluate, PipelineStep.Package]);
        Workspace = PipelineWorkspace.For(Definition);
        Validation = MlOpsJson.ReadFile<ValidationReport>(Workspace.ValidationReportPath, DiagnosticCodes.StepInputMissing, "");
        Evaluation = MlOpsJson.ReadFile<EvaluationReport>(Workspace.EvaluationReportPath, DiagnosticCodes.StepInputMissing, "");
    }

    public TempFolder Folder { get; }
    public string TrainingFile { get; }
    public string EvaluationFile { get; }
    public PipelineDefinition Definition { get; }
    public PipelineWorkspace Workspace { get; }
    public ValidationReport Validation { get; }
    public EvaluationReport Evaluation { get; }

    public void Dispose() => Folder.Dispose();
}

/// <summary>The test classes that read the trained churn model share one build of it.</summary>
[CollectionDefinition(Name)]
public sealed class TrainedChurnModelCollection : ICollectionFixture<TrainedChurnModel>
{
    public const string Name = "Trained churn model";
}
