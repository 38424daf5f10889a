using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Core.Tests;

/// <summary>Training reads the data validation checked, or refuses to run.</summary>
public sealed class DataGuardSpecs : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly PipelineRunner _runner = new(NullLogger.Instance);
    private readonly PipelineDefinition _definition;
    private readonly string _training;

    public DataGuardSpecs()
    {
        _training = _folder.WriteLines("data/train.csv", SyntheticData.Binary(200, seed: 11));
        _definition = Definitions.In(_folder, "Bought", [_training]);
        _runner.Validate(_definition);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Data_changed_after_validation_fails_training_with_MLOPS1022()
    {
        File.AppendAllText(_training, "40,2.5,Plus,yes,Yes\n");

        var diagnostic = Failures.SingleOf(() => _runner.Train(_definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.DataChangedSinceValidation);
        diagnostic.Location.ShouldBe(new SourceLocation(_training));
        File.Exists(PipelineWorkspace.For(_definition).ModelPath).ShouldBeFalse();
    }

    [Fact]
    public void Data_deleted_after_validation_fails_training_with_MLOPS1001()
    {
        File.Delete(_training);

        var diagnostic = Failures.SingleOf(() => _runner.Train(_definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.DataFileNotFound);
        diagnostic.Location.ShouldBe(new SourceLocation(_training));
        File.Exists(PipelineWorkspace.For(_definition).ModelPath).ShouldBeFalse();
    }

    [Fact]
    public void Training_without_validation_fails_with_MLOPS5005()
    {
        File.Delete(PipelineWorkspace.For(_definition).ValidationReportPath);

        Failures.SingleOf(() => _runner.Train(_definition)).Code.ShouldBe(DiagnosticCodes.StepInputMissing);
    }
}
