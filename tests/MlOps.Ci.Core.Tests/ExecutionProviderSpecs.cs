using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Runtime;

namespace MlOps.Ci.Core.Tests;

/// <summary>
/// Choosing where ONNX Runtime runs a model, with the real CPU build of ONNX Runtime that this test process loads: it
/// has no CUDA provider, so every request for CUDA must end on CPU (with a note, a warning or an error, as asked) and
/// say why. The GPU build's own path runs in a process of its own (the serving tests' OrtGpuBuildSpecs).
/// </summary>
[Collection(TrainedChurnModelCollection.Name)]
public sealed class ExecutionProviderSpecs(TrainedChurnModel model) : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly byte[] _onnx = File.ReadAllBytes(model.Workspace.ModelPath);
    private readonly CapturingLogger _logger = new();

    [Fact]
    public void Cpu_runs_on_cpu_without_trying_cuda()
    {
        var (session, runtime) = OrtSessions.Create(_onnx, new ExecutionProviderRequest(ExecutionProvider.Cpu), Options, _logger);
        using var _ = session;

        runtime.ExecutionProvider.ShouldBe(ScoringRuntime.Cpu);
        runtime.CudaFallbackReason.ShouldBeNull();
        runtime.OrtFlavor.ShouldBe(OrtFlavor.Cpu);
        runtime.OnnxRuntimeVersion.ShouldBe(OrtEnv.Instance().GetVersionString());
        _logger.Entries.ShouldHaveSingleItem().Message.ShouldBe("Scoring on CPU, as requested.");
    }

    [Fact]
    public void Auto_runs_on_cpu_with_a_note_that_says_why_not_cuda()
    {
        var (session, runtime) = OrtSessions.Create(_onnx, new ExecutionProviderRequest(ExecutionProvider.Auto) { Activity = "evaluating" }, Options, _logger);
        using var _ = session;

        runtime.ExecutionProvider.ShouldBe(ScoringRuntime.Cpu);
        runtime.CudaFallbackReason.ShouldBe("the CPU build of ONNX Runtime has no CUDA provider");
        var entry = _logger.Entries.ShouldHaveSingleItem();
        entry.Level.ShouldBe(LogLevel.Information);
        entry.Message.ShouldBe("CUDA is not available (the CPU build of ONNX Runtime has no CUDA provider); evaluating on CPU.");
    }

    [Fact]
    public void Cuda_runs_on_cpu_with_a_warning_that_points_at_the_project_and_says_to_set_the_gpu_flavour()
    {
        var request = new ExecutionProviderRequest(ExecutionProvider.Cuda) { Activity = "evaluating", Location = new SourceLocation(model.Definition.ProjectFile) };

        var (session, runtime) = OrtSessions.Create(_onnx, request, Options, _logger);
        using var _ = session;

        runtime.ExecutionProvider.ShouldBe(ScoringRuntime.Cpu);
        runtime.Requested.ShouldBe(ExecutionProvider.Cuda);
        var warning = _logger.Warnings.ShouldHaveSingleItem();
        warning.Code.ShouldBe(DiagnosticCodes.CudaFallbackToCpu);
        warning.Location!.File.ShouldBe(model.Definition.ProjectFile);
        warning.Message.ShouldBe("CUDA was requested but cannot be used (the CPU build of ONNX Runtime has no CUDA provider); evaluating on CPU.");
        warning.Hint.ShouldNotBeNull().ShouldContain("OrtFlavor=Gpu");
    }

    [Fact]
    public void Required_cuda_is_an_error_and_no_session()
    {
        var diagnostic = Failures.SingleOf(() => OrtSessions.Create(_onnx, new ExecutionProviderRequest(ExecutionProvider.CudaRequired), Options, _logger));

        diagnostic.Code.ShouldBe(DiagnosticCodes.CudaRequiredUnavailable);
        diagnostic.Message.ShouldBe("ExecutionProvider=CudaRequired, but CUDA cannot be used (the CPU build of ONNX Runtime has no CUDA provider); nothing was scored.");
        _logger.Entries.ShouldBeEmpty();
    }

    [Fact]
    public void An_undefined_provider_names_the_property()
    {
        var diagnostic = Failures.SingleOf(() => OrtSessions.Create(_onnx, new ExecutionProviderRequest((ExecutionProvider)42), Options, _logger));

        diagnostic.Code.ShouldBe(DiagnosticCodes.UnknownOrtSetting);
        diagnostic.Message.ShouldBe("ExecutionProvider '42' is not known.");
    }

    [Fact]
    public void Evaluating_with_cuda_records_the_cpu_it_fell_back_to_in_the_report_and_the_model_card()
    {
        var definition = CopyOfTheBuild() with { ExecutionProvider = ExecutionProvider.Cuda };
        var runner = new PipelineRunner(_logger);

        var report = runner.Evaluate(definition);
        var card = runner.Package(definition).Card;

        report.ExecutionProvider.ShouldBe("CPU");
        var runtime = card.EvaluationRuntime.ShouldNotBeNull();
        runtime.ShouldBe(report.Runtime);
        runtime.ExecutionProvider.ShouldBe("CPU");
        runtime.Requested.ShouldBe(ExecutionProvider.Cuda);
        runtime.CudaFallbackReason.ShouldNotBeNullOrEmpty();
        _logger.Warnings.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.CudaFallbackToCpu);
        _logger.Entries.ShouldContain(e => e.Message.StartsWith("Evaluated the ONNX model on 1000 rows on CPU: ", StringComparison.Ordinal));
        card.Fingerprints.Model.ShouldBe(model.Validation.Inputs!.Model, "the provider changes where the model is scored, not the model");
    }

    [Fact]
    public void Evaluating_with_required_cuda_fails_and_leaves_no_evaluation_behind()
    {
        var definition = CopyOfTheBuild() with { ExecutionProvider = ExecutionProvider.CudaRequired };
        var workspace = PipelineWorkspace.For(definition);
        File.Exists(workspace.EvaluationReportPath).ShouldBeTrue("the copy starts with the earlier evaluation");

        var diagnostic = Failures.SingleOf(() => new PipelineRunner(_logger).Run(definition, [PipelineStep.Evaluate, PipelineStep.Package]));

        diagnostic.Code.ShouldBe(DiagnosticCodes.CudaRequiredUnavailable);
        diagnostic.Location!.File.ShouldBe(definition.ProjectFile);
        File.Exists(workspace.EvaluationReportPath).ShouldBeFalse();
        File.Exists(Path.ChangeExtension(workspace.EvaluationReportPath, ".failed.json")).ShouldBeFalse();
        File.Exists(definition.PackagePath).ShouldBeFalse();
    }

    [Fact]
    public void A_card_written_before_the_provider_was_recorded_still_reads()
    {
        var card = JsonNode.Parse(MlOpsJson.Serialize(ModelPackage.Read(model.Definition.PackagePath).Card))!.AsObject();
        card.Remove("evaluationRuntime").ShouldBeTrue();

        var read = System.Text.Json.JsonSerializer.Deserialize<ModelCard>(card.ToJsonString(), MlOpsJson.Options)!;

        read.EvaluationRuntime.ShouldBeNull();
        read.Name.ShouldBe("churn");
    }

    [Fact]
    public void The_gpu_flavour_without_its_native_folder_says_how_to_restore_it()
    {
        var missing = _folder.PathOf("no-gpu-build");

        var diagnostic = Failures.SingleOf(() => OrtNativeLibrary.Use(OrtFlavor.Gpu, missing));

        diagnostic.Code.ShouldBe(DiagnosticCodes.OrtGpuBuildMissing);
        diagnostic.Message.ShouldContain(missing);
        diagnostic.Hint.ShouldNotBeNull().ShouldContain("-p:OrtFlavor=Gpu");
        diagnostic.Hint.ShouldContain(OrtNativeLibrary.DirectoryVariable);
    }

    [Fact]
    public void A_process_that_runs_the_cpu_build_cannot_switch_to_the_gpu_build()
    {
        using var session = new InferenceSession(_onnx);
        var folder = _folder.PathOf("gpu-build");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "libonnxruntime.so"), []);

        var diagnostic = Failures.SingleOf(() => OrtNativeLibrary.Use(OrtFlavor.Gpu, folder));

        diagnostic.Code.ShouldBe(DiagnosticCodes.OrtFlavorConflict);
        OrtNativeLibrary.Flavor.ShouldBe(OrtFlavor.Cpu);
    }

    [Fact]
    public void The_engine_looks_for_the_gpu_build_the_sdk_restores()
    {
        var targets = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "src", "MlOps.Ci.Sdk", "Sdk", "Sdk.targets"));

        var pinned = Regex.Match(targets, @"<OrtGpuPackageVersion Condition=""'\$\(OrtGpuPackageVersion\)' == ''"">(?<version>[^<]+)</OrtGpuPackageVersion>");

        pinned.Success.ShouldBeTrue("Sdk.targets pins the GPU package's version");
        pinned.Groups["version"].Value.ShouldBe(OrtNativeLibrary.GpuPackageVersion);
        OrtNativeLibrary.DefaultGpuDirectory().ShouldEndWith(Path.Combine("microsoft.ml.onnxruntime.gpu.linux", OrtNativeLibrary.GpuPackageVersion, "runtimes", "linux-x64", "native"));
    }

    /// <summary>The shared build's intermediate folder copied, so a test can evaluate and package without touching it.</summary>
    private PipelineDefinition CopyOfTheBuild()
    {
        var intermediate = _folder.PathOf("obj");
        Directory.CreateDirectory(intermediate);
        foreach (var file in Directory.EnumerateFiles(model.Workspace.IntermediateDirectory))
            File.Copy(file, Path.Combine(intermediate, Path.GetFileName(file)));
        return model.Definition with { IntermediateDirectory = intermediate, PackagePath = _folder.PathOf("churn.mlpkg") };
    }

    private static SessionOptions Options() => new() { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };

    public void Dispose() => _folder.Dispose();
}
