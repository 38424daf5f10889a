using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;
using MlOps.Ci.Runtime;
using nietras.SeparatedValues;

namespace MlOps.Ci.Scoring;

/// <summary>
/// Batch inference (<c>mlops score</c>): a CSV in, the same CSV out with the model's predictions appended. Rows are read,
/// checked against the model card's input schema and scored in chunks, so memory stays bounded for any file size;
/// the output is written atomically, so a bad row part-way never leaves a half-written file.
/// </summary>
/// <remarks>
/// Nearly all of the time is ONNX Runtime evaluating the model, one core's worth per Run. So the calling thread only
/// reads: Sep splits each row, numbers are parsed straight into the chunk's float columns and text cells copied into one
/// buffer (no string per cell), and each full chunk goes to a thread of its own, which runs the model over it with one
/// ONNX Runtime thread and formats the output rows as UTF-8 (<see cref="ScoringSession"/>). Up to
/// <see cref="BatchScoringOptions.Parallelism"/> chunks are scored at once while the next one is read; finished chunks
/// are written in file order, so the output does not depend on which thread finished first.
/// </remarks>
public static class BatchScorer
{
    public static BatchScoringResult Score(string packagePath, string inputPath, string outputPath, IProgress<BatchScoringProgress>? progress = null) =>
        Score(new BatchScoringOptions(packagePath, inputPath, outputPath), progress);

    /// <param name="options">What to score, where, and how the work is cut up.</param>
    /// <param name="progress">Told of the rows written and the share of the input read.</param>
    /// <param name="logger">Where the execution provider's choice (and a fallback to CPU) is logged.</param>
    public static BatchScoringResult Score(BatchScoringOptions options, IProgress<BatchScoringProgress>? progress = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ChunkRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Parallelism, 1);
        var inputPath = options.InputPath;
        var package = ModelPackage.Read(options.PackagePath);
        var cardInputs = package.Card.Signature.Inputs;
        using var reader = CsvFile.Open(inputPath);
        var header = CsvFile.ReadHeader(reader, inputPath);
        // Rows are copied through as read, so the predictions are appended with the file's own separator.
        var separator = reader.Spec.Sep.Separator;
        var missing = cardInputs.Where(i => !header.Contains(i.Name)).Select(i => i.Name).ToList();
        if (missing.Count > 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.EvaluationColumnsDiffer,
                $"'{Path.GetFileName(inputPath)}' lacks the model's input column(s) {string.Join(", ", missing)}.", new SourceLocation(inputPath, 1, 1),
                $"The model takes: {string.Join(", ", cardInputs.Select(i => i.Name))} (see 'mlops inspect').");
        }
        var declared = cardInputs.Select(i => new ScoringInput(i.Name, IndexOf(header, i.Name), ScoringInput.EncodingOf(i.Kind))).ToList();
        // Before the output is opened: a CudaRequired that cannot be met leaves no file behind.
        using var session = ScoringSession.Load(package.Onnx, options.PackagePath, declared, separator,
            new ExecutionProviderRequest(options.ExecutionProvider) { Activity = "scoring", Location = new SourceLocation(options.PackagePath) }, logger ?? NullLogger.Instance);
        var clock = Stopwatch.StartNew();
        long rows = 0;
        AtomicFile.Write(options.OutputPath, stream =>
        {
            var pipeline = new ChunkPipeline(session, options, inputPath, stream, HeaderLine(header, separator), new FileInfo(inputPath).Length, progress);
            try
            {
                rows = Read(reader, header.Count, session.Inputs, inputPath, pipeline);
            }
            finally
            {
                // No scoring thread may still use the session or a chunk once this returns, also when reading failed.
                pipeline.Complete();
            }
            pipeline.Diagnostics.ThrowIfErrors();
        });
        return new BatchScoringResult(options.OutputPath, rows, clock.Elapsed.TotalSeconds) { Runtime = session.Runtime };
    }

    /// <summary>Reads every row into chunks for the pipeline; returns the row count. Schema errors are collected and thrown at the end.</summary>
    private static long Read(SepReader reader, int columnCount, IReadOnlyList<ScoringInput> inputs, string path, ChunkPipeline pipeline)
    {
        var chunk = pipeline.Rent();
        long rows = 0;
        foreach (var row in reader)
        {
            if (row.ColCount != columnCount)
            {
                chunk.Errors.Add(Diagnostic.Error(DiagnosticCodes.RaggedRow, $"Row has {row.ColCount} values but the header has {columnCount} columns.",
                    new SourceLocation(path, row.LineNumberFrom, 1), "Quote values that contain the separator."));
                continue;
            }
            chunk.AddRow(row, inputs);
            pipeline.CharactersRead += row.Span.Length + 1;
            rows++;
            if (chunk.IsFull)
                chunk = pipeline.Submit(chunk);
        }
        if (chunk.Count > 0 || chunk.HasErrors)
            pipeline.Submit(chunk);
        return rows;
    }

    private static int IndexOf(IReadOnlyList<string> header, string name)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (header[i] == name)
                return i;
        }
        return -1;
    }

    /// <summary>The input's header, as the first part of the output's (the output columns follow once the first chunk is scored).</summary>
    private static string HeaderLine(IReadOnlyList<string> header, char separator) =>
        string.Join(separator, header.Select(h => ScoringSession.Quote(h, separator)));

    /// <summary>
    /// Chunks in flight: submitted ones are scored on the thread pool, and are written to the stream strictly in the order
    /// they were submitted, by the reading thread, whenever it would otherwise get ahead by more than the scoring threads can hold.
    /// </summary>
    private sealed class ChunkPipeline(ScoringSession session, BatchScoringOptions options, string inputPath, Stream output, string headerLine, long inputBytes,
        IProgress<BatchScoringProgress>? progress)
    {
        // Set by a scoring thread that found a bad cell: the output will be discarded, so later chunks are only checked.
        private volatile bool _failed;

        private readonly Queue<(ScoringChunk Chunk, Task Scored)> _inFlight = new();
        private readonly Stack<ScoringChunk> _free = new();
        private bool _headerWritten;
        private long _rowsWritten;

        /// <summary>Every problem found, in line order; it stops the run once it holds too many.</summary>
        public DiagnosticBag Diagnostics { get; } = new();

        /// <summary>Characters of the rows read so far, line breaks included: for ASCII data the bytes read, for the progress.</summary>
        public long CharactersRead { get; set; }

        public ScoringChunk Rent() => _free.TryPop(out var chunk) ? chunk : new ScoringChunk(session.Inputs, options.ChunkRows);

        /// <summary>Starts scoring the chunk; returns an empty one to fill next (after writing finished ones when all scoring threads are busy).</summary>
        public ScoringChunk Submit(ScoringChunk chunk)
        {
            _inFlight.Enqueue((chunk, Task.Run(() => Score(chunk))));
            while (_inFlight.Count > options.Parallelism)
                WriteOldest();
            return Rent();
        }

        private void Score(ScoringChunk chunk)
        {
            chunk.ParseCells(session.Inputs, inputPath);
            if (chunk.HasErrors)
                _failed = true;
            if (!_failed)
                session.Score(chunk);
        }

        /// <summary>Writes what is still in flight (after a failure: waits for it without writing) and then the header when no chunk had it.</summary>
        public void Complete()
        {
            Exception? failure = null;
            while (_inFlight.Count > 0)
            {
                try
                {
                    if (failure is null)
                        WriteOldest();
                    else
                        _inFlight.Dequeue().Scored.Wait();
                }
                catch (Exception exception)
                {
                    failure ??= exception;
                }
            }
            if (failure is not null)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            if (!_headerWritten && !Diagnostics.HasErrors)
                WriteHeader([]);
        }

        private void WriteOldest()
        {
            var (chunk, scored) = _inFlight.Peek();
            scored.GetAwaiter().GetResult();
            _inFlight.Dequeue();
            foreach (var error in chunk.Errors.OrderBy(e => e.Location?.Line ?? 0))
                Diagnostics.Add(error);
            // Once a row has failed the output is discarded, so nothing more is written.
            if (!Diagnostics.HasErrors)
            {
                if (!_headerWritten)
                    WriteHeader(chunk.Columns);
                output.Write(chunk.Output, 0, chunk.OutputLength);
            }
            _rowsWritten += chunk.Count;
            progress?.Report(new BatchScoringProgress(_rowsWritten, Math.Min(CharactersRead, inputBytes), inputBytes));
            chunk.Clear();
            _free.Push(chunk);
        }

        private void WriteHeader(IReadOnlyList<ScoredColumn> columns)
        {
            var line = new StringBuilder(headerLine);
            var separator = session.Separator;
            foreach (var column in columns)
            {
                if (column.Width > 1)
                {
                    for (var i = 0; i < column.Width; i++)
                        line.Append(separator).Append(column.Name).Append('.').Append(i);
                }
                else
                {
                    line.Append(separator).Append(column.Name);
                }
            }
            line.Append('\n');
            output.Write(Encoding.UTF8.GetBytes(line.ToString()));
            _headerWritten = true;
        }
    }
}
