using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Runtime;

/// <summary>
/// Creates an <see cref="InferenceSession"/> on the execution provider a caller asked for, for evaluation, batch scoring
/// and serving alike. CUDA is used only when it really loads: ONNX Runtime lists CUDA among its providers even without
/// a GPU or CUDA libraries, so only a successful AppendExecutionProvider_CUDA and session creation prove it. Otherwise
/// the session is created on CPU, with a warning (Cuda), a note (Auto) or an error (CudaRequired, nothing created).
/// </summary>
public static class OrtSessions
{
    /// <param name="onnx">The model.</param>
    /// <param name="request">The provider asked for, and how a fallback is reported.</param>
    /// <param name="options">Makes the caller's session options (threads, optimisation); called once per attempt,
    /// because appending a provider changes them.</param>
    /// <param name="logger">Where the choice is logged.</param>
    /// <exception cref="MlOpsException">MLOPS2402 when CUDA is required and cannot be used; MLOPS2403 for an unknown provider.</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load the model at all (callers turn it into their own diagnostic).</exception>
    public static (InferenceSession Session, ScoringRuntime Runtime) Create(byte[] onnx, ExecutionProviderRequest request, Func<SessionOptions> options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (!Enum.IsDefined(request.Provider))
            throw OrtNativeLibrary.UnknownValue("ExecutionProvider", request.Provider.ToString(), Enum.GetNames<ExecutionProvider>());

        var version = OrtLog.Environment().GetVersionString();
        var runtime = new ScoringRuntime(ScoringRuntime.Cpu, OrtNativeLibrary.Flavor, version) { Requested = request.Provider };
        var activity = request.Activity;
        if (request.Provider == ExecutionProvider.Cpu)
        {
            logger.LogInformation("{Activity} on CPU, as requested.", Capitalized(activity));
            return (CreateCpuSession(onnx, options), runtime);
        }

        var reason = TryCuda(onnx, options, out var cuda);
        if (cuda is not null)
        {
            logger.LogInformation("ONNX Runtime runs the model on CUDA (device 0).");
            return (cuda, runtime with { ExecutionProvider = ScoringRuntime.Cuda });
        }
        switch (request.Provider)
        {
            case ExecutionProvider.CudaRequired:
                throw MlOpsException.Of(DiagnosticCodes.CudaRequiredUnavailable,
                    $"ExecutionProvider=CudaRequired, but CUDA cannot be used ({reason}); nothing was {Done(activity)}.", request.Location, Hint());
            case ExecutionProvider.Cuda:
                var message = $"CUDA was requested but cannot be used ({reason}); {activity} on CPU.";
                if (request.Location is null)
                    logger.LogWarning("warning {Code}: {Message}", request.FallbackCode, message);
                else
                    logger.LogWarning("{Diagnostic}", Diagnostic.Warning(request.FallbackCode, message, request.Location, Hint() + " ExecutionProvider=Cpu asks for CPU without this warning."));
                break;
            default:
                logger.LogInformation("CUDA is not available ({Reason}); {Activity} on CPU.", reason, activity);
                break;
        }
        return (CreateCpuSession(onnx, options), runtime with { CudaFallbackReason = reason });
    }

    /// <summary>Why CUDA cannot be used, or null with <paramref name="session"/> set when it can.</summary>
    private static string? TryCuda(byte[] onnx, Func<SessionOptions> options, out InferenceSession? session)
    {
        session = null;
        OrtLog.TakeLastError();
        var cudaOptions = options();
        try
        {
            cudaOptions.AppendExecutionProvider_CUDA(0);
            session = new InferenceSession(onnx, cudaOptions);
            return null;
        }
        catch (EntryPointNotFoundException) when (OrtNativeLibrary.Flavor == OrtFlavor.Cpu)
        {
            return "the CPU build of ONNX Runtime has no CUDA provider";
        }
        catch (Exception exception) when (exception is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or BadImageFormatException
            or TypeInitializationException or InvalidOperationException)
        {
            // ONNX Runtime's log names the missing library; its exception only says that one failed to load.
            return OrtLog.TakeLastError() ?? FirstLine(exception.Message);
        }
        finally
        {
            cudaOptions.Dispose();
        }
    }

    /// <summary>
    /// Session options for evaluation: full graph optimisation, ONNX Runtime's own thread pools. ORT warns about benign
    /// shape merges in ML.NET-exported graphs; only errors are worth a user's attention.
    /// </summary>
    public static SessionOptions DefaultOptions() =>
        new() { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };

    /// <summary>
    /// As <see cref="DefaultOptions"/>, with one thread per Run (sequential, one intra-op and one inter-op thread): for
    /// callers that run many sessions' Runs side by side themselves (batch scoring's chunks, a server's requests).
    /// </summary>
    /// <param name="noSpinning">Stops ONNX Runtime's thread pools spinning while idle, so they do not fight the caller's
    /// own threads for the same cores (the serving host).</param>
    public static SessionOptions SingleThreadedOptions(bool noSpinning)
    {
        var options = DefaultOptions();
        options.ExecutionMode = ExecutionMode.ORT_SEQUENTIAL;
        options.IntraOpNumThreads = 1;
        options.InterOpNumThreads = 1;
        if (noSpinning)
        {
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        }
        return options;
    }

    private static InferenceSession CreateCpuSession(byte[] onnx, Func<SessionOptions> options)
    {
        using var cpuOptions = options();
        return new InferenceSession(onnx, cpuOptions);
    }

    private static string Hint() => OrtNativeLibrary.Flavor == OrtFlavor.Cpu
        ? $"Set OrtFlavor=Gpu (mlops: --ort-flavor Gpu or {OrtNativeLibrary.FlavorVariable}=Gpu) to load the GPU build of ONNX Runtime, on a machine with an NVIDIA GPU and CUDA 13."
        : "The GPU build needs an NVIDIA GPU, its driver, and the CUDA 13 and cuDNN 9 libraries on the library path (LD_LIBRARY_PATH).";

    private static string Done(string activity) => activity switch
    {
        "evaluating" => "evaluated",
        "serving" => "served",
        _ => "scored",
    };

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).Trim();
    }
}
