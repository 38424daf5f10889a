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
        var (session, runtime) = OrtSessions.Create(onnx, request, () => OrtSessions.SingleThreadedOptions(noSpinning: true), logger);
        return (session, runtime.ExecutionProvider);
    }
}
