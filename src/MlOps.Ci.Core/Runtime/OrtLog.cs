using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace MlOps.Ci.Runtime;

/// <summary>
/// ONNX Runtime's process-wide environment, created with a logging callback instead of its default console sink. ONNX
/// Runtime reports why a provider library did not load ("libcublasLt.so.13: cannot open shared object file") only in its
/// log, while the exception says "Failed to load shared library": the callback keeps the calling thread's last error so
/// a fallback can name the real reason, and keeps ONNX Runtime's coloured lines out of build logs. Errors that matter
/// to a caller still arrive as exceptions.
/// </summary>
internal static partial class OrtLog
{
    [ThreadStatic] private static string? _lastError;

    // Held for the life of the process: ONNX Runtime keeps the function pointer.
    private static readonly DOrtLoggingFunction Callback = OnMessage;
    private static readonly Lock Gate = new();

    /// <summary>The environment, created with the callback unless something created it before (then its own sink stays).</summary>
    public static OrtEnv Environment()
    {
        if (!OrtEnv.IsCreated)
        {
            lock (Gate)
            {
                if (!OrtEnv.IsCreated)
                {
                    var options = new EnvironmentCreationOptions
                    {
                        logId = "mlops",
                        logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
                        loggingFunction = Callback,
                    };
                    return OrtEnv.CreateInstanceWithOptions(ref options);
                }
            }
        }
        return OrtEnv.Instance();
    }

    /// <summary>The last error ONNX Runtime logged on this thread since the previous call, without its source-location prefix.</summary>
    public static string? TakeLastError()
    {
        var message = _lastError;
        _lastError = null;
        if (message is null)
            return null;
        var status = StatusText().Match(message);
        return (status.Success ? status.Groups["text"].Value : message).Trim();
    }

    private static void OnMessage(IntPtr param, OrtLoggingLevel severity, string category, string logId, string codeLocation, string message)
    {
        if (severity >= OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR)
            _lastError = message;
    }

    // "…/provider_bridge_ort.cc:2043 … [ONNXRuntimeError] : 1 : FAIL : Failed to load library …": the part a user can act on.
    [GeneratedRegex(@"\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*(?<text>[^\r\n]*)")]
    private static partial Regex StatusText();
}
