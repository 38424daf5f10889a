namespace MlOps.Ci.Runtime;

/// <summary>
/// Where ONNX Runtime runs a model (<c>ExecutionProvider</c> in a model project, <c>--execution-provider</c> on the CLI).
/// Compiled into the SDK's tasks too: the pipeline definition carries it.
/// </summary>
public enum ExecutionProvider
{
    /// <summary>ONNX Runtime's default CPU provider.</summary>
    Cpu,

    /// <summary>The CUDA provider; when it cannot be used, a warning says why and the model runs on CPU.</summary>
    Cuda,

    /// <summary>CUDA when it can be used, else CPU, without a warning.</summary>
    Auto,

    /// <summary>The CUDA provider or nothing: when it cannot be used the step fails (MLOPS2402) and writes nothing.</summary>
    CudaRequired,
}

/// <summary>
/// Which build of ONNX Runtime's native library a process loads (<c>OrtFlavor</c>). The build decides which
/// providers exist at all: the CPU build (shipped with the engine) has no CUDA provider.
/// </summary>
public enum OrtFlavor
{
    /// <summary>The CPU build that Microsoft.ML.OnnxRuntime ships with the engine.</summary>
    Cpu,

    /// <summary>The GPU build (Microsoft.ML.OnnxRuntime.Gpu.Linux, linux-x64): the CPU provider plus CUDA and TensorRT.</summary>
    Gpu,
}

/// <summary>
/// How <see cref="ExecutionProvider"/> and <see cref="OrtFlavor"/> are read and defaulted, by the SDK (the model
/// project's properties) and the CLI (its options) alike. Compiled into the SDK's tasks: depends on nothing else in Core.
/// </summary>
public static class OrtSettings
{
    /// <summary>
    /// A value by name, in any case, surrounding white space ignored. Enum.TryParse also takes numbers ("7"); only the
    /// names are values a project or a command line may write.
    /// </summary>
    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        var trimmed = text?.Trim();
        if (!string.IsNullOrEmpty(trimmed) && !char.IsDigit(trimmed[0]) && Enum.TryParse(trimmed, ignoreCase: true, out value) && Enum.IsDefined(value))
            return true;
        value = default;
        return false;
    }

    /// <summary>Where a model runs unless ExecutionProvider says: CUDA when it really loads under the GPU build (Auto), else CPU without trying.</summary>
    public static ExecutionProvider DefaultProvider(OrtFlavor flavor) => flavor == OrtFlavor.Gpu ? ExecutionProvider.Auto : ExecutionProvider.Cpu;
}
