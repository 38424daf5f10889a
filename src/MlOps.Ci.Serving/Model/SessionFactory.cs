using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace MlOps.Ci.Serving.Model;

/// <summary>
/// Creates the one InferenceSession the host shares between requests (Run is thread-safe), on CUDA when it was asked
/// for and really works, else on CPU. ONNX Runtime lists CUDA among its providers even without a GPU or CUDA
/// libraries, so only a successful AppendExecutionProvider_CUDA and session creation prove it.
/// </summary>
internal static class SessionFactory
{
    public const string Cpu = "CPU";
    public const string Cuda = "CUDA";

    public static (InferenceSession Session, string Provider) Create(byte[] onnx, ExecutionProvider requested, ILogger logger)
    {
        if (requested != ExecutionProvider.Cpu)
        {
            var reason = TryCuda(onnx, out var session);
            if (session is not null)
            {
                logger.LogInformation("ONNX Runtime runs the model on CUDA (device 0).");
                return (session, Cuda);
            }
            if (requested == ExecutionProvider.Cuda)
                logger.LogWarning("warning {Code}: CUDA was requested but cannot be used ({Reason}); serving on CPU.", Diagnostics.DiagnosticCodes.CudaUnavailable, reason);
            else
                logger.LogInformation("CUDA is not available ({Reason}); serving on CPU.", reason);
        }
        else
        {
            logger.LogInformation("Serving on CPU, as requested.");
        }
        using var options = Options();
        return (new InferenceSession(onnx, options), Cpu);
    }

    private static string? TryCuda(byte[] onnx, out InferenceSession? session)
    {
        session = null;
        var options = Options();
        try
        {
            options.AppendExecutionProvider_CUDA(0);
            session = new InferenceSession(onnx, options);
            return null;
        }
        catch (Exception exception) when (exception is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or BadImageFormatException
            or TypeInitializationException or InvalidOperationException)
        {
            return FirstLine(exception.Message);
        }
        finally
        {
            options.Dispose();
        }
    }

    /// <summary>
    /// One thread per Run: a server overlaps many small requests, and ONNX Runtime's own intra-op pool (spinning while
    /// idle) would fight the request threads for the same cores.
    /// </summary>
    private static SessionOptions Options()
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            // ORT warns about benign shape merges in ML.NET-exported graphs; only errors are worth a reader's attention.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        return options;
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message[..end]).Trim();
    }
}
