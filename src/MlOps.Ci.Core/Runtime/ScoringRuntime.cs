namespace MlOps.Ci.Runtime;

/// <summary>
/// Where a model was actually scored: the execution provider that ran it (<see cref="Cpu"/> or <see cref="Cuda"/>), the
/// ONNX Runtime build and its native version, and why CUDA was not used when it was asked for. Recorded in
/// evaluation.json and the model card; never part of a fingerprint (it changes where the model runs, not the model).
/// </summary>
public sealed record ScoringRuntime(string ExecutionProvider, OrtFlavor OrtFlavor, string OnnxRuntimeVersion)
{
    public const string Cpu = "CPU";
    public const string Cuda = "CUDA";

    /// <summary>What was asked for (Cpu, Cuda, Auto, CudaRequired).</summary>
    public Runtime.ExecutionProvider Requested { get; init; }

    /// <summary>Why CUDA was not used although it was asked for (Cuda or Auto); null when it ran or was not asked for.</summary>
    public string? CudaFallbackReason { get; init; }
}

/// <summary>What a caller asks of <see cref="OrtSessions.Create"/>: the provider, and how a fallback is reported.</summary>
/// <param name="Provider">Where the caller wants the model to run.</param>
public sealed record ExecutionProviderRequest(ExecutionProvider Provider)
{
    /// <summary>What the caller does with the model, for the log: "evaluating", "scoring", "serving".</summary>
    public string Activity { get; init; } = "scoring";

    /// <summary>
    /// Where a fallback warning or a required-CUDA error points (the project, the package). With a location the warning
    /// is a canonical diagnostic line that MSBuild and CI parsers pick up; without one (the serving host's log) it is
    /// "warning CODE: message".
    /// </summary>
    public Diagnostics.SourceLocation? Location { get; init; }

    /// <summary>
    /// The warning code of a fallback to CPU: MLOPS2401 for the build and batch scoring; the serving host keeps the
    /// MLOPS7006 it has always logged (codes are never renumbered, and alerts may watch for it).
    /// </summary>
    public string FallbackCode { get; init; } = Diagnostics.DiagnosticCodes.CudaFallbackToCpu;
}
