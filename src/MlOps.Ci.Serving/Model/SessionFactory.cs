using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Runtime;

namespace MlOps.Ci.Serving.Model;

/// <summary>
/// Creates the one InferenceSession the host shares between requests (Run is thread-safe), on the provider asked for
/// through Core's <see cref="OrtSessions"/> (CUDA only when it really loads), with the host's own session options.
/// </summary>
internal static class SessionFactory
{
    public static (InferenceSession Session, string Provider) Create(byte[] onnx, ExecutionProvider requested, ILogger logger)
    {
        // The host has always logged its fallback as MLOPS7006; codes are never renumbered, so it keeps it.
        var request = new ExecutionProviderRequest(requested) { Activity = "serving", FallbackCode = DiagnosticCodes.CudaUnavailable };
        var (session, runtime) = OrtSessions.Create(onnx, request, Options, logger);
        return (session, runtime.ExecutionProvider);
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
}
