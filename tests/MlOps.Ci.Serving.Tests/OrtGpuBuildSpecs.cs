using System.Reflection;
using MlOps.Ci.Serving.Tests.Support;

namespace MlOps.Ci.Serving.Tests;

/// <summary>
/// The GPU build of ONNX Runtime (Microsoft.ML.OnnxRuntime.Gpu.Linux, restored by this test project's PackageDownload)
/// loaded by the real <c>mlops</c> in a process of its own. This machine has no GPU and no CUDA libraries, so the build
/// must load, find that its CUDA provider cannot, and score on CPU exactly as the CPU build does. The reason it gives
/// names the CUDA provider library of the GPU build's folder: the CPU build has none, so that proves which build ran.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class OrtGpuBuildSpecs(ServingFixture fixture) : IDisposable
{
    private const string GpuPackageVersion = "1.31.0";
    private readonly TempFolder _work = new();

    [SkippableFact]
    public async Task Asking_the_gpu_build_for_cuda_without_a_gpu_scores_on_cpu_like_the_cpu_build_and_names_the_missing_cuda_libraries()
    {
        var gpuBuild = GpuBuildFolder();
        var package = fixture.Models.Churn.PackagePath;
        var input = fixture.Models.Churn.EvaluationFile;

        var cpu = await MlopsTool.RunAsync(Environment(), "score", "--package", package, "--input", input, "--output", _work.PathOf("cpu.csv"));
        var gpu = await MlopsTool.RunAsync(Environment(), "score", "--package", package, "--input", input, "--output", _work.PathOf("gpu.csv"),
            "--ort-flavor", "Gpu", "--ort-native-directory", gpuBuild, "--execution-provider", "Cuda");

        cpu.ExitCode.ShouldBe(0, cpu.ToString());
        gpu.ExitCode.ShouldBe(0, gpu.ToString());
        gpu.StandardError.ShouldContain("warning MLOPS2401: CUDA was requested but cannot be used (");
        gpu.StandardError.ShouldContain(Path.Combine(gpuBuild, "libonnxruntime_providers_cuda.so"));
        gpu.StandardError.ShouldContain("); scoring on CPU.");
        gpu.StandardOutput.ShouldContain(" on CPU → ");
        File.ReadAllText(_work.PathOf("gpu.csv")).ShouldBe(File.ReadAllText(_work.PathOf("cpu.csv")));
    }

    [SkippableFact]
    public async Task Requiring_cuda_from_the_gpu_build_without_a_gpu_fails_and_writes_no_scored_file()
    {
        var gpuBuild = GpuBuildFolder();
        var output = _work.PathOf("required.csv");

        var result = await MlopsTool.RunAsync(Environment(), "score", "--package", fixture.Models.Churn.PackagePath, "--input", fixture.Models.Churn.EvaluationFile,
            "--output", output, "--ort-flavor", "Gpu", "--ort-native-directory", gpuBuild, "--execution-provider", "CudaRequired");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.StandardError.ShouldContain("error MLOPS2402: ExecutionProvider=CudaRequired, but CUDA cannot be used (");
        File.Exists(output).ShouldBeFalse();
        Directory.EnumerateFiles(_work.Root).ShouldBeEmpty("no temporary file is left either");
    }

    [Fact]
    public async Task The_gpu_flavour_without_its_native_folder_says_how_to_restore_it()
    {
        var missing = _work.PathOf("no-gpu-build");

        var result = await MlopsTool.RunAsync(Environment(), "score", "--package", fixture.Models.Churn.PackagePath, "--input", fixture.Models.Churn.EvaluationFile,
            "--output", _work.PathOf("scored.csv"), "--ort-flavor", "Gpu", "--ort-native-directory", missing);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.StandardError.ShouldContain($"{missing}: error MLOPS2404: OrtFlavor=Gpu, but the GPU build of ONNX Runtime is not in '{missing}'");
        result.StandardError.ShouldContain("-p:OrtFlavor=Gpu");
    }

    /// <summary>
    /// The restored package's native folder. Restoring this project downloads it; when a restore could not (an offline
    /// machine without it in the NuGet cache) the test is skipped and says so, except in CI, where it must run.
    /// </summary>
    private static string GpuBuildFolder()
    {
        var root = typeof(OrtGpuBuildSpecs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "NuGetPackageRoot")?.Value;
        var folder = string.IsNullOrEmpty(root) ? ""
            : Path.Combine(root, "microsoft.ml.onnxruntime.gpu.linux", GpuPackageVersion, "runtimes", "linux-x64", "native");
        var present = folder.Length > 0 && File.Exists(Path.Combine(folder, "libonnxruntime.so"));
        if (!present && System.Environment.GetEnvironmentVariable("CI") == "true")
            throw new InvalidOperationException($"The GPU build of ONNX Runtime is not restored ('{folder}'): restore this test project.");
        Skip.IfNot(present, $"The GPU build of ONNX Runtime is not in the NuGet packages folder ('{folder}'); restore this test project to run this test.");
        Skip.IfNot(OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64,
            "The GPU build exists for linux-x64 only.");
        return folder;
    }

    /// <summary>No flavour or folder leaks in from the machine running the tests.</summary>
    private static Dictionary<string, string> Environment() => new() { ["MLOPS_ORT_FLAVOR"] = "", ["MLOPS_ORT_NATIVE_DIRECTORY"] = "" };

    public void Dispose() => _work.Dispose();
}
