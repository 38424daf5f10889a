using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Runtime;

namespace MlOps.Ci.Scoring;

/// <summary>
/// The model's one <see cref="InferenceSession"/> for a batch, shared by every scoring thread (Run is thread-safe), each
/// Run on one thread. One intra-op thread per Run is what lets the chunks run side by side, and it also keeps every
/// row's tree sums in the same order on any machine (a multi-threaded Run splits the trees between threads, which moves
/// the last digits with the core count). Inputs are OrtValues over the chunk's own arrays, outputs are formatted from
/// ONNX Runtime's memory straight into the chunk's UTF-8 buffer: nothing is allocated per row.
/// </summary>
internal sealed class ScoringSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _modelName;
    private readonly IReadOnlyList<ScoringInput> _inputs;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly TensorElementType[] _outputTypes;
    private readonly byte[] _separator;
    private readonly char _separatorChar;

    private ScoringSession(InferenceSession session, ScoringRuntime runtime, string modelName, IReadOnlyList<ScoringInput> inputs, char separator)
    {
        _session = session;
        Runtime = runtime;
        _modelName = modelName;
        _inputs = inputs;
        _inputNames = inputs.Select(i => i.Name).ToArray();
        _separatorChar = separator;
        _separator = Encoding.UTF8.GetBytes([separator]);
        // The scored file's columns: every tensor output under its column name, in ordinal order, without the exporter's
        // placeholder outputs (the same set and order 'mlops score' has always written).
        var outputs = session.OutputMetadata
            .Where(o => o.Value.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR)
            .Select(o => (Graph: o.Key, Column: OnnxScorer.ColumnNameOf(o.Key), o.Value.ElementDataType))
            .Where(o => !o.Column.EndsWith("unusedOutput", StringComparison.Ordinal))
            .OrderBy(o => o.Column, StringComparer.Ordinal)
            .ToArray();
        _outputNames = outputs.Select(o => o.Graph).ToArray();
        OutputColumns = outputs.Select(o => o.Column).ToArray();
        _outputTypes = outputs.Select(o => o.ElementDataType).ToArray();
    }

    public IReadOnlyList<string> OutputColumns { get; }

    /// <summary>Where the model runs (CPU or CUDA), and why not CUDA when it was asked for.</summary>
    public ScoringRuntime Runtime { get; }

    /// <summary>The CSV's separator, which the output rows use too.</summary>
    public char Separator => _separatorChar;

    /// <summary>
    /// Loads the model for <paramref name="inputs"/>, which name the CSV column of each card input; every graph input
    /// must be among them with a matching element type (float for numbers and booleans, string for text).
    /// </summary>
    public static ScoringSession Load(byte[] model, string modelName, IReadOnlyList<ScoringInput> inputs, char separator) =>
        Load(model, modelName, inputs, separator, new ExecutionProviderRequest(ExecutionProvider.Cpu), NullLogger.Instance);

    /// <summary>As <see cref="Load(byte[], string, IReadOnlyList{ScoringInput}, char)"/>, on the provider <paramref name="request"/> asks for.</summary>
    public static ScoringSession Load(byte[] model, string modelName, IReadOnlyList<ScoringInput> inputs, char separator, ExecutionProviderRequest request, ILogger logger)
    {
        InferenceSession session;
        ScoringRuntime runtime;
        try
        {
            (session, runtime) = OrtSessions.Create(model, request, () => OrtSessions.SingleThreadedOptions(noSpinning: false), logger);
        }
        catch (OnnxRuntimeException exception)
        {
            throw OnnxScorer.CannotLoad(modelName, exception);
        }

        try
        {
            var ordered = new List<ScoringInput>();
            foreach (var (name, metadata) in session.InputMetadata)
            {
                var input = inputs.FirstOrDefault(i => i.Name == name) ?? throw MlOpsException.Of(DiagnosticCodes.OnnxScoringFailed,
                    $"The model takes input '{name}', which its model card does not list.", new SourceLocation(modelName),
                    "Package the model again: its card's signature must name every graph input.");
                var expected = input.Encoding == CellEncoding.Text ? TensorElementType.String : TensorElementType.Float;
                if (metadata.ElementDataType != expected)
                {
                    throw MlOpsException.Of(DiagnosticCodes.OnnxScoringFailed,
                        $"Model input '{name}' takes {metadata.ElementDataType}, but its model card declares column '{name}' as {input.Encoding}.",
                        new SourceLocation(modelName), "Declare the column's type in the schema file to match the model.");
                }
                ordered.Add(input);
            }
            return new ScoringSession(session, runtime, modelName, ordered, separator);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The graph inputs in session order, each with its CSV column.</summary>
    public IReadOnlyList<ScoringInput> Inputs => _inputs;

    /// <summary>Runs the model over the chunk (on the calling thread) and writes its rows, predictions appended, to its output buffer.</summary>
    public void Score(ScoringChunk chunk)
    {
        using var outputs = Run(chunk);
        Format(chunk, outputs);
    }

    /// <summary>The model's outputs for the chunk's rows, in <see cref="OutputColumns"/> order.</summary>
    internal IDisposableReadOnlyCollection<OrtValue> Run(ScoringChunk chunk)
    {
        var count = chunk.Count;
        long[] shape = [count, 1];
        var values = new OrtValue[_inputs.Count];
        try
        {
            for (var k = 0; k < _inputs.Count; k++)
            {
                if (chunk.Texts[k] is { } cells)
                {
                    var strings = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
                    values[k] = strings;
                    for (var r = 0; r < count; r++)
                        strings.StringTensorSetElementAt(cells[r], r);
                }
                else
                {
                    values[k] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, chunk.Numbers[k].AsMemory(0, count), shape);
                }
            }
            using var runOptions = new RunOptions();
            return _session.Run(runOptions, _inputNames, values, _outputNames);
        }
        catch (OnnxRuntimeException exception)
        {
            throw OnnxScorer.ScoringFailed(_modelName, exception);
        }
        finally
        {
            foreach (var value in values)
                value?.Dispose();
        }
    }

    /// <summary>The chunk's rows with <paramref name="outputs"/> appended, as UTF-8 into its output buffer.</summary>
    internal void Format(ScoringChunk chunk, IReadOnlyList<OrtValue> outputs)
    {
        var count = chunk.Count;
        var widths = new int[outputs.Count];
        var columns = new ScoredColumn[outputs.Count];
        // Each output copied out of ONNX Runtime once per chunk: reading it element by element through the OrtValue would
        // cost a native call per value.
        var data = new Array[outputs.Count];
        var bytesPerRow = 2;
        for (var o = 0; o < outputs.Count; o++)
        {
            widths[o] = count == 0 ? 0 : (int)(outputs[o].GetTensorTypeAndShape().ElementCount / count);
            columns[o] = new ScoredColumn(OutputColumns[o], widths[o]);
            data[o] = CopyOut(outputs[o], _outputTypes[o]);
            // A separator and a formatted value ("R" floats need at most 15 bytes, doubles and longs 25; text as long as its longest).
            var valueBytes = data[o] is string[] texts ? texts.Select(t => Encoding.UTF8.GetMaxByteCount(t.Length)).DefaultIfEmpty().Max() : 32;
            bytesPerRow += widths[o] * (_separator.Length + valueBytes);
        }
        chunk.Columns = columns;
        for (var r = 0; r < count; r++)
        {
            var line = chunk.Line(r);
            var room = chunk.OutputRoom(Encoding.UTF8.GetMaxByteCount(line.Length) + bytesPerRow);
            var at = Encoding.UTF8.GetBytes(line, room);
            for (var o = 0; o < data.Length; o++)
            {
                for (var w = 0; w < widths[o]; w++)
                {
                    _separator.CopyTo(room[at..]);
                    at += _separator.Length;
                    var i = r * widths[o] + w;
                    at += data[o] is string[] texts ? Encoding.UTF8.GetBytes(texts[i], room[at..]) : FormatValue(data[o], i, room[at..]);
                }
            }
            room[at++] = (byte)'\n';
            chunk.OutputLength += at;
        }
    }

    private Array CopyOut(OrtValue tensor, TensorElementType type) => type switch
    {
        TensorElementType.Float => tensor.GetTensorDataAsSpan<float>().ToArray(),
        TensorElementType.Bool => tensor.GetTensorDataAsSpan<bool>().ToArray(),
        TensorElementType.Double => tensor.GetTensorDataAsSpan<double>().ToArray(),
        TensorElementType.Int64 => tensor.GetTensorDataAsSpan<long>().ToArray(),
        TensorElementType.Int32 => tensor.GetTensorDataAsSpan<int>().ToArray(),
        TensorElementType.UInt32 => tensor.GetTensorDataAsSpan<uint>().ToArray(),
        TensorElementType.String => tensor.GetStringTensorAsArray().Select(t => Quote(t, _separatorChar)).ToArray(),
        _ => throw MlOpsException.Of(DiagnosticCodes.OnnxScoringFailed,
            $"An output of '{Path.GetFileName(_modelName)}' has element type {type}, which a CSV column cannot hold.", new SourceLocation(_modelName),
            "Export the model with float, boolean, integer or string outputs."),
    };

    /// <summary>One value as the scored file has it: floats and doubles round-trip ("R"), booleans true/false.</summary>
    private static int FormatValue(Array values, int index, Span<byte> destination)
    {
        var invariant = CultureInfo.InvariantCulture;
        int written;
        switch (values)
        {
            case float[] floats:
                floats[index].TryFormat(destination, out written, "R", invariant);
                return written;
            case bool[] flags:
                var word = flags[index] ? "true"u8 : "false"u8;
                word.CopyTo(destination);
                return word.Length;
            case double[] doubles:
                doubles[index].TryFormat(destination, out written, "R", invariant);
                return written;
            case long[] longs:
                longs[index].TryFormat(destination, out written, default, invariant);
                return written;
            case int[] ints:
                ints[index].TryFormat(destination, out written, default, invariant);
                return written;
            case uint[] uints:
                uints[index].TryFormat(destination, out written, default, invariant);
                return written;
            default:
                throw new InvalidOperationException($"Unexpected output array {values.GetType()}.");
        }
    }

    /// <summary>A value quoted for the CSV when it holds the separator, a quote or a line break.</summary>
    public static string Quote(string value, char separator) =>
        value.Contains(separator) || value.AsSpan().IndexOfAny("\"\n\r") >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;

    public void Dispose() => _session.Dispose();
}
