using MlOps.Ci.Runtime;

namespace MlOps.Ci.Serving;

/// <summary>
/// Everything the serving host needs: the package to serve and how to serve it. The CLI's <c>mlops serve</c> maps its
/// arguments onto this record and calls <see cref="ModelHost.Build"/>.
/// </summary>
/// <param name="PackagePath">The model package (.mlpkg) to serve.</param>
public sealed record ServingOptions(string PackagePath)
{
    public const string DefaultRequestLogPath = "mlops-requests.jsonl";

    /// <summary>Addresses Kestrel listens on, separated by ';' (port 0 picks a free port; read it from <c>app.Urls</c> after start).</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";

    /// <summary>The name the model is served under (URLs, metrics, logs); the model card's name when null.</summary>
    public string? ModelName { get; init; }

    /// <summary>
    /// Where ONNX Runtime runs the model (Core's <see cref="Runtime.ExecutionProvider"/>): Cuda warns (MLOPS7006) and
    /// serves on CPU when CUDA cannot be used; CudaRequired refuses to start (MLOPS2402).
    /// </summary>
    public ExecutionProvider ExecutionProvider { get; init; } = ExecutionProvider.Auto;

    /// <summary>The request log (JSON lines, one per scored row), relative to the working folder; null or empty turns it off.</summary>
    public string? RequestLogPath { get; init; } = DefaultRequestLogPath;

    /// <summary>The share of requests whose rows are logged, 0 to 1; decided by a hash of the request id, so a retried request is sampled alike.</summary>
    public double RequestLogSampleRate { get; init; } = 1.0;

    /// <summary>How many logged requests may wait for the writer; beyond that they are dropped (and counted), never waited for.</summary>
    public int RequestLogCapacity { get; init; } = 10_000;

    /// <summary>How many of the last scored rows the rolling drift score on /metrics covers (memory: two bytes per row and input); 0 turns it off.</summary>
    public int DriftWindowRows { get; init; } = 10_000;

    /// <summary>A larger request body is answered 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>A request with more rows is answered 413.</summary>
    public int MaxBatchRows { get; init; } = 10_000;

    /// <summary>How long shutdown waits for requests in flight before it gives up on them.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws when a value can never work, naming the option.</summary>
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(PackagePath, nameof(PackagePath));
        ArgumentException.ThrowIfNullOrWhiteSpace(Urls, nameof(Urls));
        if (ModelName is not null)
            ArgumentException.ThrowIfNullOrWhiteSpace(ModelName, nameof(ModelName));
        if (!Enum.IsDefined(ExecutionProvider))
            throw new ArgumentOutOfRangeException(nameof(ExecutionProvider), ExecutionProvider, "Use Cpu, Cuda, Auto or CudaRequired.");
        if (double.IsNaN(RequestLogSampleRate) || RequestLogSampleRate is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(RequestLogSampleRate), RequestLogSampleRate, "The sample rate is a share between 0 and 1.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(RequestLogCapacity, nameof(RequestLogCapacity));
        ArgumentOutOfRangeException.ThrowIfNegative(DriftWindowRows, nameof(DriftWindowRows));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxRequestBodyBytes, nameof(MaxRequestBodyBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxBatchRows, nameof(MaxBatchRows));
        if (ShutdownTimeout < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ShutdownTimeout), ShutdownTimeout, "The shutdown timeout cannot be negative.");
    }
}
