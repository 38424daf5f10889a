using MlOps.Ci.Caching;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Training;
using MlOps.Ci.Training.Sweeps;

namespace MlOps.Ci.Core.Tests.Sweeps;

/// <summary>
/// A small copy of the churn sample with a sweep, in its own folder with its own model cache: few rows and few trees,
/// so a whole sweep trains in seconds.
/// </summary>
public sealed class SweepProject : IDisposable
{
    public const int TrainingRows = 600;
    public const int EvaluationRows = 200;

    public SweepProject(string? cacheDirectory = null)
    {
        Folder = new TempFolder();
        TrainingFile = ChurnSample.Copy(Folder, "train.csv", TrainingRows);
        EvaluationFile = ChurnSample.Copy(Folder, "test.csv", EvaluationRows);
        CacheDirectory = cacheDirectory ?? Folder.PathOf("cache");
        Definition = Definitions.In(Folder, ChurnSample.Label, [TrainingFile], [EvaluationFile]) with
        {
            ModelName = "churn",
            IgnoreColumns = [ChurnSample.Identifier],
            Hyperparameters = new Dictionary<string, string> { ["NumberOfLeaves"] = "4" },
            Sweeps = [Grid("NumberOfTrees", "2", "20"), Grid("LearningRate", "0.05", "0.3")],
        };
    }

    public TempFolder Folder { get; }
    public string TrainingFile { get; }
    public string EvaluationFile { get; }
    public string CacheDirectory { get; }
    public PipelineDefinition Definition { get; set; }
    public CapturingLogger Logger { get; } = new();

    /// <summary>A shared remote model cache (oci://host/repository), as CI matrix jobs on separate runners use; null for none.</summary>
    public string? RemoteCache { get; init; }

    public static SweepParameter Grid(string name, params string[] values) => new(name) { Values = values };

    public PipelineRunner Runner(SweepShard? shard = null) =>
        new(Logger, new RunOptions { CacheMode = CacheMode.ReadWrite, CacheDirectory = CacheDirectory, RemoteCache = RemoteCache, SweepShard = shard, SweepParallelism = 2 });

    /// <summary>Validates and trains (running the sweep); returns the training report.</summary>
    public TrainingReport Train(SweepShard? shard = null)
    {
        var runner = Runner(shard);
        runner.Run(Definition, [PipelineStep.Validate, PipelineStep.Train]);
        return shard is null ? ReadTrainingReport() : null!;
    }

    public TrainingReport ReadTrainingReport() =>
        MlOpsJson.ReadFile<TrainingReport>(PipelineWorkspace.For(Definition).TrainingReportPath, DiagnosticCodes.StepInputMissing, "");

    public void Dispose() => Folder.Dispose();
}
