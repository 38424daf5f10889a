using Shouldly;

namespace MlOps.Ci.EndToEnd.Tests;

/// <summary>
/// <c>-p:OrtFlavor=Gpu</c> through the packed SDK on a machine without a GPU: restore fetches the GPU build of ONNX
/// Runtime, the engine loads it, CUDA cannot load (no GPU, no CUDA libraries), and the build goes on on CPU with a
/// warning, or fails with nothing written when CUDA is required.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class GpuFlavourSpecs(BuiltSample sample)
{
    private const string GpuPackage = "microsoft.ml.onnxruntime.gpu.linux";
    private const string GpuVersion = "1.31.0";

    [Fact]
    public void Asking_the_gpu_build_for_cuda_without_a_gpu_builds_on_cpu_with_a_warning_and_records_it_in_the_card()
    {
        using var project = GpuProject();

        var result = project.Build("-p:OrtFlavor=Gpu", "-p:ExecutionProvider=Cuda");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Output.ShouldContain("warning MLOPS2401: CUDA was requested but cannot be used (");
        // The reason comes from the GPU build's own loader: the CPU build has no CUDA provider library to name.
        result.Output.ShouldContain("libonnxruntime_providers_cuda.so");
        result.Output.ShouldContain("Evaluated the ONNX model on 1000 rows on CPU: ");
        var runtime = new PackageContents(project.PackagePath()).Card.GetProperty("evaluationRuntime");
        runtime.GetProperty("executionProvider").GetString().ShouldBe("CPU");
        runtime.GetProperty("ortFlavor").GetString().ShouldBe("gpu");
        runtime.GetProperty("requested").GetString().ShouldBe("cuda");
        runtime.GetProperty("onnxRuntimeVersion").GetString().ShouldBe(GpuVersion);
    }

    [Fact]
    public void Requiring_cuda_without_a_gpu_fails_the_build_and_leaves_no_evaluation_or_package()
    {
        using var project = GpuProject();

        var result = project.Build("-p:OrtFlavor=Gpu", "-p:ExecutionProvider=CudaRequired");

        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.Output.ShouldContain("error MLOPS2402: ExecutionProvider=CudaRequired, but CUDA cannot be used (");
        File.Exists(Path.Combine(project.IntermediateFolder, "evaluation.json")).ShouldBeFalse();
        File.Exists(project.PackagePath()).ShouldBeFalse();
    }

    [Fact]
    public void An_unknown_flavour_fails_naming_the_property()
    {
        using var project = sample.Sdk.CopySample("churn");

        var result = project.Build("-p:OrtFlavor=Tpu");

        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.Output.ShouldContain("error MLOPS2403: OrtFlavor 'Tpu' is not known. Use one of: Cpu, Gpu.");
    }

    /// <summary>
    /// The sample, whose restore can get the GPU package (about 250 MB) from this machine's NuGet cache when it is
    /// there, as a local feed, rather than downloading it into the test's empty packages folder; otherwise from the
    /// project's usual sources.
    /// </summary>
    private ModelProject GpuProject()
    {
        var project = sample.Sdk.CopySample("churn");
        var machineCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var nupkg = Path.Combine(machineCache, GpuPackage, GpuVersion, $"{GpuPackage}.{GpuVersion}.nupkg");
        if (File.Exists(nupkg))
        {
            var feed = Directory.CreateDirectory(Path.Combine(project.Folder, "gpu-feed")).FullName;
            File.CreateSymbolicLink(Path.Combine(feed, Path.GetFileName(nupkg)), nupkg);
            var config = Path.Combine(project.Folder, "nuget.config");
            File.WriteAllText(config, File.ReadAllText(config).Replace("</packageSources>", $"""
                  <add key="gpu" value="{feed}" />
                </packageSources>
                """));
        }
        return project;
    }
}
