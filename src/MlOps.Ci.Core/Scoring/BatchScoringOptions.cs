namespace MlOps.Ci.Scoring;

/// <summary>What <see cref="BatchScorer"/> scores and how the work is cut up.</summary>
/// <param name="PackagePath">The model package (.mlpkg).</param>
/// <param name="InputPath">A CSV with (at least) the model's input columns.</param>
/// <param name="OutputPath">Where the input rows go with the predictions appended.</param>
public sealed record BatchScoringOptions(string PackagePath, string InputPath, string OutputPath)
{
    /// <summary>
    /// Rows per chunk: one chunk is one ONNX Runtime Run on one core. Large enough that a Run's fixed cost (~20 µs)
    /// vanishes, small enough that every core gets chunks of a modest file and a chunk's buffers stay in the L2/L3 cache.
    /// </summary>
    public int ChunkRows { get; init; } = 16_384;

    /// <summary>Chunks scored at the same time, each on its own thread; the reading and writing thread comes on top.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Where ONNX Runtime runs the model. CPU by default: one thread per chunk gives the same digits on any machine. Cuda
    /// falls back to CPU with a warning (MLOPS2401), CudaRequired fails before anything is written (MLOPS2402).
    /// </summary>
    public Runtime.ExecutionProvider ExecutionProvider { get; init; } = Runtime.ExecutionProvider.Cpu;
}

/// <summary>How far a batch has come: rows written so far, and the share of the input read (from its size in bytes).</summary>
public readonly record struct BatchScoringProgress(long Rows, long BytesRead, long TotalBytes)
{
    public double Fraction => TotalBytes > 0 ? Math.Min(1, (double)BytesRead / TotalBytes) : 0;
}

public sealed record BatchScoringResult(string Output, long Rows, double Seconds)
{
    /// <summary>Where the rows were scored (CPU or CUDA), and why not CUDA when it was asked for.</summary>
    public Runtime.ScoringRuntime? Runtime { get; init; }

    public double RowsPerSecond => Seconds > 0 ? Rows / Seconds : 0;
}
