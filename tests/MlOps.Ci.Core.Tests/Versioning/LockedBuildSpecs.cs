using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Caching;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Training;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Core.Tests.Versioning;

/// <summary>
/// Builds with the lock file and the model cache on, as the SDK runs them: Update mode writes mlops.lock.json, Locked
/// mode (CI) refuses inputs that differ from it, and a model built before from the same inputs is restored, not trained.
/// </summary>
public sealed class LockedBuildSpecs : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly PipelineDefinition _definition;
    private readonly string _training;
    private readonly RunOptions _update;

    public LockedBuildSpecs()
    {
        _training = _folder.WriteLines("data/train.csv", SyntheticData.Binary(400, seed: 7));
        var evaluation = _folder.WriteLines("data/test.csv", SyntheticData.Binary(200, seed: 8));
        _definition = Definitions.In(_folder, "Bought", [_training], [evaluation]) with
        {
            Hyperparameters = new Dictionary<string, string> { ["NumberOfTrees"] = "20" },
        };
        _update = new RunOptions { LockMode = LockMode.Update, CacheMode = CacheMode.ReadWrite, CacheDirectory = _folder.PathOf("cache") };
    }

    public void Dispose() => _folder.Dispose();

    private string LockPath => _folder.PathOf(LockFile.FileName);

    private PipelineRunner Runner(RunOptions options) => new(NullLogger.Instance, options);

    [Fact]
    public void A_build_in_Update_mode_writes_the_lock_file_beside_the_project()
    {
        Runner(_update).Run(_definition, [PipelineStep.Validate, PipelineStep.Train]);

        var lockFile = LockFile.Read(LockPath).ShouldNotBeNull();
        Path.GetDirectoryName(LockPath).ShouldBe(Path.GetDirectoryName(_definition.ProjectFile));
        lockFile.Data.ShouldContain(d => d.Location == "data/train.csv" && d.Role == DataRole.Training && d.Fingerprint == ContentHash.OfFile(_training));
        lockFile.Data.ShouldContain(d => d.Location == "data/test.csv" && d.Role == DataRole.Evaluation);
        lockFile.Trainer.Parameters["NumberOfTrees"].ShouldBe("20");
        var training = MlOpsJson.ReadFile<TrainingReport>(PipelineWorkspace.For(_definition).TrainingReportPath, DiagnosticCodes.StepInputMissing, "");
        lockFile.Fingerprint.ShouldBe(training.ModelFingerprint);
    }

    [Fact]
    public void A_Locked_build_after_a_data_change_fails_with_MLOPS6001_naming_the_file()
    {
        Runner(_update).Run(_definition, [PipelineStep.Validate, PipelineStep.Train]);
        var bytes = File.ReadAllBytes(_training);
        bytes[^2] = bytes[^2] == (byte)'s' ? (byte)'o' : (byte)'s';
        File.WriteAllBytes(_training, bytes);
        var locked = Runner(_update with { LockMode = LockMode.Locked });

        var diagnostic = Failures.SingleOf(() => locked.Validate(_definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.LockMismatch);
        diagnostic.Message.ShouldContain("data/train.csv");
        diagnostic.Location.ShouldNotBeNull().File.ShouldBe(LockPath);
        File.Exists(PipelineWorkspace.For(_definition).ValidationReportPath).ShouldBeFalse("nothing may train on unlocked data");
    }

    [Fact]
    public void A_Locked_build_with_the_inputs_of_the_lock_file_passes()
    {
        Runner(_update).Run(_definition, [PipelineStep.Validate, PipelineStep.Train]);
        var lockText = File.ReadAllText(LockPath);

        Runner(_update with { LockMode = LockMode.Locked }).Run(_definition, [PipelineStep.Validate]);

        File.ReadAllText(LockPath).ShouldBe(lockText);
    }

    [Fact]
    public void A_Locked_build_without_a_lock_file_fails_with_MLOPS6003()
    {
        var locked = Runner(_update with { LockMode = LockMode.Locked });

        var diagnostic = Failures.SingleOf(() => locked.Validate(_definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.LockFileMissing);
        File.Exists(LockPath).ShouldBeFalse();
    }

    [Fact]
    public void A_second_build_from_the_same_inputs_restores_the_model_from_the_cache_instead_of_training()
    {
        var runner = Runner(_update);
        runner.Run(_definition, [PipelineStep.Validate, PipelineStep.Train, PipelineStep.Evaluate, PipelineStep.Package]);
        var workspace = PipelineWorkspace.For(_definition);
        var trainedModel = File.ReadAllBytes(workspace.ModelPath);
        var trained = MlOpsJson.ReadFile<TrainingReport>(workspace.TrainingReportPath, DiagnosticCodes.StepInputMissing, "");
        Directory.Delete(_definition.IntermediateDirectory, recursive: true);
        File.Delete(_definition.PackagePath);

        runner.Validate(_definition);
        var restored = runner.Train(_definition);

        trained.RestoredFrom.ShouldBeNull();
        restored.RestoredFrom.ShouldNotBeNull().ShouldStartWith("the local cache");
        restored.ModelFingerprint.ShouldBe(trained.ModelFingerprint);
        File.ReadAllBytes(workspace.ModelPath).ShouldBe(trainedModel);
        MlOpsJson.ReadFile<TrainingReport>(workspace.TrainingReportPath, DiagnosticCodes.StepInputMissing, "").RestoredFrom.ShouldBe(restored.RestoredFrom);
        runner.Evaluate(_definition).Metrics.ShouldNotBeEmpty("the restored model is a working model");
    }

    [Fact]
    public void A_data_file_listed_twice_builds_and_passes_status_and_Locked_checks()
    {
        var twice = _definition with { TrainingData = [_training, _training] };
        var runner = Runner(_update);
        runner.Run(twice, [PipelineStep.Validate, PipelineStep.Train]);

        var status = runner.Status(twice);
        Runner(_update with { LockMode = LockMode.Locked }).Validate(twice);

        status.UpToDate.ShouldBeTrue();
        LockFile.Read(LockPath).ShouldNotBeNull().Data.Count(d => d.Location == "data/train.csv").ShouldBe(2);
    }

    [Fact]
    public void Status_names_a_changed_file_and_says_the_next_build_trains()
    {
        var runner = Runner(_update);
        runner.Run(_definition, [PipelineStep.Validate, PipelineStep.Train]);
        var unchanged = runner.Status(_definition);
        File.AppendAllText(_training, "40,2.5,Plus,yes,Yes\n");

        var status = runner.Status(_definition);

        unchanged.UpToDate.ShouldBeTrue();
        unchanged.Changes.ShouldBeEmpty();
        status.UpToDate.ShouldBeFalse();
        var change = status.Changes.ShouldHaveSingleItem();
        change.Kind.ShouldBe(ChangeKind.Modified);
        change.Input.ShouldBe("data/train.csv");
        change.AffectsModel.ShouldBeTrue();
        status.NextBuild.ShouldStartWith("train");
        status.Describe().ShouldContain(line => line.Contains("data/train.csv"));
    }
}
