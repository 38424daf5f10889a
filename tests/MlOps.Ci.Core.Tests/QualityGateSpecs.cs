using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Core.Tests;

/// <summary>A model below its gate fails evaluation, and no package is made from it.</summary>
[Collection(TrainedChurnModelCollection.Name)]
public sealed class QualityGateSpecs : IDisposable
{
    private readonly TrainedChurnModel _model;
    private readonly TempFolder _folder = new();
    private readonly PipelineRunner _runner = new(NullLogger.Instance);
    private readonly PipelineDefinition _unreachable;
    private readonly PipelineWorkspace _workspace;

    public QualityGateSpecs(TrainedChurnModel model)
    {
        _model = model;
        // A copy of the trained model's intermediate folder, evaluation.json of the passing run included.
        var intermediate = _folder.CopyFolder(model.Workspace.IntermediateDirectory, "obj/mlops");
        _unreachable = model.Definition with
        {
            IntermediateDirectory = intermediate,
            PackagePath = _folder.PathOf("bin/churn.mlpkg"),
            QualityGates = [new QualityGate("AUC", Minimum: 0.999), new QualityGate("LogLoss", Maximum: 0.6)],
        };
        _workspace = PipelineWorkspace.For(_unreachable);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_gate_the_model_cannot_pass_fails_evaluation_naming_the_metric_value_and_bound()
    {
        var auc = QualityGates.Format(_model.Evaluation.Metrics["AUC"]);

        var diagnostic = Failures.SingleOf(() => _runner.Evaluate(_unreachable));

        diagnostic.Code.ShouldBe(DiagnosticCodes.GateFailed);
        diagnostic.Message.ShouldContain("AUC");
        diagnostic.Message.ShouldContain(auc);
        diagnostic.Message.ShouldContain("0.999");
        diagnostic.Message.ShouldNotContain("LogLoss", customMessage: "only the gate that failed is reported");
    }

    [Fact]
    public void A_failed_evaluation_keeps_its_report_aside_and_removes_the_passing_one()
    {
        File.Exists(_workspace.EvaluationReportPath).ShouldBeTrue("the copied folder holds the earlier, passing evaluation");

        Failures.Of(() => _runner.Evaluate(_unreachable));

        File.Exists(_workspace.EvaluationReportPath).ShouldBeFalse();
        var failed = Path.Combine(_workspace.IntermediateDirectory, "evaluation.failed.json");
        File.Exists(failed).ShouldBeTrue();
        File.ReadAllText(failed).ShouldContain("\"passed\": false");
    }

    [Fact]
    public void A_model_that_failed_its_gates_cannot_be_packaged()
    {
        Failures.Of(() => _runner.Evaluate(_unreachable));

        var diagnostic = Failures.SingleOf(() => _runner.Package(_unreachable));

        diagnostic.Code.ShouldBe(DiagnosticCodes.StepInputMissing);
        diagnostic.Message.ShouldContain("evaluation.json");
        File.Exists(_unreachable.PackagePath).ShouldBeFalse();
    }

    [Fact]
    public void A_model_that_failed_its_gates_leaves_the_earlier_package_untouched()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_unreachable.PackagePath)!);
        File.Copy(_model.Definition.PackagePath, _unreachable.PackagePath);
        var before = File.ReadAllBytes(_unreachable.PackagePath);

        Failures.Of(() => _runner.Evaluate(_unreachable));
        Failures.Of(() => _runner.Package(_unreachable));

        File.ReadAllBytes(_unreachable.PackagePath).ShouldBe(before);
        Directory.GetFiles(Path.GetDirectoryName(_unreachable.PackagePath)!).ShouldBe([_unreachable.PackagePath], "no temporary file is left behind");
    }

    [Fact]
    public void Passing_the_gates_again_clears_the_failed_report()
    {
        Failures.Of(() => _runner.Evaluate(_unreachable));

        var report = _runner.Evaluate(_unreachable with { QualityGates = _model.Definition.QualityGates });

        report.Passed.ShouldBeTrue();
        File.Exists(_workspace.EvaluationReportPath).ShouldBeTrue();
        File.Exists(Path.Combine(_workspace.IntermediateDirectory, "evaluation.failed.json")).ShouldBeFalse();
    }
}
