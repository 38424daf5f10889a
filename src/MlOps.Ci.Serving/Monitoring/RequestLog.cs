using System.Buffers;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MlOps.Ci.Serving.Model;
using MlOps.Ci.Serving.Protocol;

namespace MlOps.Ci.Serving.Monitoring;

/// <summary>
/// The sampled request log: one JSON line per scored row, <c>{"timestamp", "requestId", "model", "version",
/// "fingerprint", "row", "inputs": {column: value}, "outputs": {…as /predict answers…}}</c>, the raw material for drift
/// checks. A request formats its lines and hands them to a bounded queue; a background writer appends them to the
/// file. When the queue is full the lines are dropped and counted, so a slow disk never slows a request. Whatever is
/// queued at shutdown is written before the host exits.
/// </summary>
internal sealed class RequestLog : BackgroundService
{
    private readonly record struct Entry(byte[] Lines, int Rows);

    private static readonly JsonEncodedText TimestampProperty = JsonEncodedText.Encode("timestamp");
    private static readonly JsonEncodedText RequestIdProperty = JsonEncodedText.Encode("requestId");
    private static readonly JsonEncodedText ModelProperty = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText VersionProperty = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText FingerprintProperty = JsonEncodedText.Encode("fingerprint");
    private static readonly JsonEncodedText RowProperty = JsonEncodedText.Encode("row");
    private static readonly JsonEncodedText InputsProperty = JsonEncodedText.Encode("inputs");
    private static readonly JsonEncodedText OutputsProperty = JsonEncodedText.Encode("outputs");

    [ThreadStatic]
    private static LineBuffer? _buffer;

    private readonly Channel<Entry> _queue;
    private readonly int _capacity;
    private readonly double _sampleRate;
    private readonly ServingMetrics _metrics;
    private readonly ILogger _logger;

    public RequestLog(ServingOptions options, ServingMetrics metrics, ILogger<RequestLog> logger)
    {
        Path = string.IsNullOrWhiteSpace(options.RequestLogPath) ? null : System.IO.Path.GetFullPath(options.RequestLogPath);
        _sampleRate = options.RequestLogSampleRate;
        _capacity = options.RequestLogCapacity;
        _metrics = metrics;
        _logger = logger;
        _queue = Channel.CreateBounded<Entry>(new BoundedChannelOptions(_capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    /// <summary>The log file's full path, or null when the log is off.</summary>
    public string? Path { get; }

    /// <summary>Queues the batch's rows for the log when the request is sampled; never waits.</summary>
    public void TryLog(ScoringBatch batch, string requestId)
    {
        if (Path is null || !IsSampled(requestId, _sampleRate))
            return;
        // Formatting costs more than the check; a full queue is known before it.
        if (_queue.Reader.Count >= _capacity || !_queue.Writer.TryWrite(new Entry(Format(batch, requestId), batch.Rows)))
            _metrics.LogDropped();
    }

    /// <summary>Deterministic per request id: the same id is always sampled or always not, on every replica.</summary>
    public static bool IsSampled(string requestId, double rate)
    {
        if (rate >= 1)
            return true;
        if (rate <= 0)
            return false;
        var hash = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(requestId.AsSpan()));
        return (hash >> 11) * (1.0 / (1UL << 53)) < rate;
    }

    private static byte[] Format(ScoringBatch batch, string requestId)
    {
        var buffer = _buffer ??= new LineBuffer();
        var model = batch.Model;
        var writer = buffer.Start();
        var timestamp = DateTimeOffset.UtcNow;
        for (var row = 0; row < batch.Rows; row++)
        {
            writer.WriteStartObject();
            writer.WriteString(TimestampProperty, timestamp);
            writer.WriteString(RequestIdProperty, requestId);
            writer.WriteString(ModelProperty, model.Name);
            writer.WriteString(VersionProperty, model.Version);
            writer.WriteString(FingerprintProperty, model.Fingerprint);
            writer.WriteNumber(RowProperty, row);
            writer.WriteStartObject(InputsProperty);
            foreach (var input in model.Inputs)
            {
                writer.WritePropertyName(input.JsonName);
                if (input.IsText)
                    writer.WriteStringValue(batch.Texts[input.Index][row]);
                else
                    JsonValues.WriteNumber(writer, batch.Numbers[input.Index][row]);
            }
            writer.WriteEndObject();
            writer.WritePropertyName(OutputsProperty);
            PredictionWriter.WritePrediction(writer, batch, row);
            writer.WriteEndObject();
            writer.Flush();
            buffer.NewLine();
            writer.Reset();
        }
        return buffer.ToArray();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var reader = _queue.Reader;
        var stream = Open();
        try
        {
            // Not stoppingToken: shutdown completes the queue, and the loop ends once everything queued is written.
            while (await reader.WaitToReadAsync(CancellationToken.None))
            {
                while (reader.TryRead(out var entry))
                {
                    if (stream is null)
                    {
                        _metrics.LogDropped();
                        continue;
                    }
                    try
                    {
                        stream.Write(entry.Lines);
                        _metrics.LogWritten(entry.Rows);
                    }
                    catch (IOException exception)
                    {
                        _logger.LogError("Cannot write the request log '{Path}': {Reason}. Request logging stops.", Path, exception.Message);
                        stream.Dispose();
                        stream = null;
                        _metrics.LogDropped();
                    }
                }
                stream?.Flush();
            }
        }
        catch (IOException exception)
        {
            _logger.LogError("Cannot flush the request log '{Path}': {Reason}.", Path, exception.Message);
        }
        finally
        {
            try
            {
                stream?.Dispose();
            }
            catch (IOException)
            {
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    private FileStream? Open()
    {
        if (Path is null)
            return null;
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 64 * 1024);
            _logger.LogInformation("Logging {Rate:P0} of requests to {Path}.", _sampleRate, Path);
            return stream;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            _logger.LogError("Cannot open the request log '{Path}': {Reason}. Requests are served but not logged.", Path, exception.Message);
            return null;
        }
    }

    /// <summary>A thread's reusable buffer and writer for formatting lines.</summary>
    private sealed class LineBuffer
    {
        private readonly ArrayBufferWriter<byte> _bytes = new(1024);
        private readonly Utf8JsonWriter _writer;

        public LineBuffer()
        {
            _writer = new Utf8JsonWriter(_bytes, JsonValues.WriterOptions);
        }

        public Utf8JsonWriter Start()
        {
            _bytes.ResetWrittenCount();
            _writer.Reset(_bytes);
            return _writer;
        }

        public void NewLine()
        {
            _bytes.GetSpan(1)[0] = (byte)'\n';
            _bytes.Advance(1);
        }

        public byte[] ToArray() => _bytes.WrittenSpan.ToArray();
    }
}
