using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Runtime;

namespace MlOps.Ci.Evaluation;

/// <summary>The model's outputs for a batch of rows: floats are row-major with <see cref="Width"/> values per row.</summary>
public sealed record ScoredOutput(string Name, int Width, float[]? Floats = null, bool[]? Booleans = null, string[]? Strings = null);

/// <summary>
/// Scores rows with the exported ONNX file through ONNX Runtime: what evaluation measures is exactly what will be
/// served, not the in-memory ML.NET model it came from.
/// </summary>
public sealed class OnnxScorer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _modelPath;

    private OnnxScorer(InferenceSession session, ScoringRuntime runtime, string modelPath)
    {
        _session = session;
        Runtime = runtime;
        _modelPath = modelPath;
    }

    public IReadOnlyDictionary<string, NodeMetadata> InputMetadata => _session.InputMetadata;
    public IReadOnlyDictionary<string, NodeMetadata> OutputMetadata => _session.OutputMetadata;

    /// <summary>Where the model runs: the provider, the ONNX Runtime build, and why CUDA was not used if it was asked for.</summary>
    public ScoringRuntime Runtime { get; }

    /// <summary>Loads the model on CPU, quietly: for its metadata, or predictions that must match the CPU's.</summary>
    public static OnnxScorer Load(string modelPath) => Load(modelPath, File.ReadAllBytes, new ExecutionProviderRequest(ExecutionProvider.Cpu), NullLogger.Instance);

    /// <summary>Loads the model on the provider <paramref name="request"/> asks for (see <see cref="OrtSessions.Create"/>), logging the choice.</summary>
    public static OnnxScorer Load(string modelPath, ExecutionProviderRequest request, ILogger logger) =>
        Load(modelPath, File.ReadAllBytes, request ?? throw new ArgumentNullException(nameof(request)), logger ?? throw new ArgumentNullException(nameof(logger)));

    /// <summary>Loads a model held in memory (e.g. read from a model package) on CPU; <paramref name="name"/> names it in errors.</summary>
    public static OnnxScorer Load(byte[] model, string name) => Load(name, _ => model, new ExecutionProviderRequest(ExecutionProvider.Cpu), NullLogger.Instance);

    private static OnnxScorer Load(string modelPath, Func<string, byte[]> read, ExecutionProviderRequest request, ILogger logger)
    {
        try
        {
            var onnx = read(modelPath);
            var (session, runtime) = OrtSessions.Create(onnx, request, OrtSessions.DefaultOptions, logger);
            return new OnnxScorer(session, runtime, modelPath);
        }
        catch (Exception exception) when (exception is OnnxRuntimeException or IOException)
        {
            throw CannotLoad(modelPath, exception);
        }
    }

    public IReadOnlyDictionary<string, ScoredOutput> Score(DataTable table) => Score(table.Features, table.RowCount);

    /// <summary>Scores <paramref name="rowCount"/> rows given column by column (at least every input of the model).</summary>
    public IReadOnlyDictionary<string, ScoredOutput> Score(IReadOnlyList<TableColumn> features, int rowCount)
    {
        var inputs = new List<NamedOnnxValue>();
        foreach (var (name, metadata) in _session.InputMetadata)
        {
            var column = features.FirstOrDefault(c => c.Name == name) ?? throw MlOpsException.Of(DiagnosticCodes.OnnxScoringFailed,
                $"The model takes input '{name}', which the data does not have.", new SourceLocation(_modelPath),
                "The evaluation data must have the columns the model was trained on.");
            int[] shape = [rowCount, 1];
            inputs.Add((column, metadata.ElementDataType) switch
            {
                (NumericColumn numeric, TensorElementType.Float) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(numeric.Values, shape)),
                (Data.TextColumn text, TensorElementType.String) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(text.Values, shape)),
                _ => throw MlOpsException.Of(DiagnosticCodes.OnnxScoringFailed,
                    $"Model input '{name}' takes {metadata.ElementDataType}, but column '{name}' is {column.Kind}.", new SourceLocation(_modelPath),
                    "Declare the column's type in the schema file to match the model."),
            });
        }

        try
        {
            using var results = _session.Run(inputs);
            var outputs = new Dictionary<string, ScoredOutput>(StringComparer.Ordinal);
            foreach (var result in results)
            {
                var name = ColumnNameOf(result.Name);
                outputs[name] = result.Value switch
                {
                    Tensor<float> floats => new ScoredOutput(name, WidthOf(floats, rowCount), Floats: floats.ToArray()),
                    Tensor<bool> booleans => new ScoredOutput(name, WidthOf(booleans, rowCount), Booleans: booleans.ToArray()),
                    Tensor<string> strings => new ScoredOutput(name, WidthOf(strings, rowCount), Strings: strings.ToArray()),
                    _ => new ScoredOutput(name, 0),
                };
            }
            return outputs;
        }
        catch (OnnxRuntimeException exception)
        {
            throw ScoringFailed(_modelPath, exception);
        }
    }

    /// <summary>The model at (or named) <paramref name="name"/> could not be loaded: read, or taken by ONNX Runtime.</summary>
    internal static MlOpsException CannotLoad(string name, Exception exception) =>
        MlOpsException.Of(DiagnosticCodes.OnnxScoringFailed, $"ONNX Runtime cannot load '{name}': {exception.Message}", new SourceLocation(name),
            "Train again; if the model comes from an external trainer, check it with onnx.checker.");

    /// <summary>ONNX Runtime failed to run the model at (or named) <paramref name="name"/>.</summary>
    internal static MlOpsException ScoringFailed(string name, Exception exception) =>
        MlOpsException.Of(DiagnosticCodes.OnnxScoringFailed, $"ONNX Runtime failed to score '{Path.GetFileName(name)}': {exception.Message}",
            new SourceLocation(name), "Check that the data's columns have the types the model expects.");

    /// <summary>ML.NET's exporter names a graph output after its column with an ".output" suffix (Score.output).</summary>
    public static string ColumnNameOf(string outputName) =>
        outputName.EndsWith(".output", StringComparison.Ordinal) ? outputName[..^".output".Length] : outputName;

    private static int WidthOf<T>(Tensor<T> tensor, int rows) => rows == 0 ? 0 : (int)(tensor.Length / rows);

    public void Dispose() => _session.Dispose();
}
