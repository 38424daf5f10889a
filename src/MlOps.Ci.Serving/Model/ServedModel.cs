using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Serving.Model;

/// <summary>
/// The served model: its package, read once, and the one InferenceSession every request shares. The card's signature
/// decides which columns a request must give and how each is read.
/// </summary>
internal sealed class ServedModel : IDisposable
{
    private static readonly Microsoft.ML.OnnxRuntime.RunOptions SharedRunOptions = new();
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _classes;

    private ServedModel(ModelPackage package, string name, InferenceSession session, string provider, IReadOnlyList<InputColumn> inputs, OutputColumn[] outputs)
    {
        Package = package;
        Name = name;
        _session = session;
        Provider = provider;
        Inputs = inputs;
        Outputs = outputs;
        _inputNames = inputs.Select(i => i.Name).ToArray();
        _outputNames = outputs.Select(o => o.GraphName).ToArray();
        var signature = package.Card.Signature;
        Classes = signature.Classes ?? [];
        PositiveClass = signature.PositiveClass;
        NegativeClass = Classes.FirstOrDefault(c => !string.Equals(c, PositiveClass, StringComparison.Ordinal));
        var classes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in Classes)
            classes.TryAdd(label, label);
        _classes = classes.GetAlternateLookup<ReadOnlySpan<char>>();
        LabelOutput = IndexOf("PredictedLabel");
        ScoreOutput = IndexOf("Score");
        ProbabilityOutput = IndexOf("Probability");
    }

    public ModelPackage Package { get; }
    public ModelCard Card => Package.Card;
    public string Name { get; }
    public string Version => Card.Version;
    public string Fingerprint => Card.Fingerprints.Model;
    public ModelTask Task => Card.Task;

    /// <summary>"CPU" or "CUDA": where ONNX Runtime really runs the model.</summary>
    public string Provider { get; }

    public IReadOnlyList<InputColumn> Inputs { get; }
    public OutputColumn[] Outputs { get; }
    public IReadOnlyList<string> Classes { get; }
    public string? PositiveClass { get; }
    public string? NegativeClass { get; }

    /// <summary>Indexes into <see cref="Outputs"/>, or -1 when the model has no such output.</summary>
    public int LabelOutput { get; }
    public int ScoreOutput { get; }
    public int ProbabilityOutput { get; }

    public static ServedModel Load(ServingOptions options, ILogger logger)
    {
        var package = ModelPackage.Read(options.PackagePath);
        var card = package.Card;
        InferenceSession session;
        string provider;
        try
        {
            (session, provider) = SessionFactory.Create(package.Onnx, options.ExecutionProvider, logger);
        }
        catch (OnnxRuntimeException exception)
        {
            throw MlOpsException.Of(DiagnosticCodes.OnnxScoringFailed, $"ONNX Runtime cannot load the model in '{options.PackagePath}': {exception.Message}",
                new SourceLocation(options.PackagePath), "Build or pull the package again; a model from an external trainer must pass onnx.checker.");
        }

        try
        {
            var profile = package.Profile.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
            var inputs = new List<InputColumn>();
            foreach (var (name, metadata) in session.InputMetadata)
            {
                var spec = card.Signature.Inputs.FirstOrDefault(i => i.Name == name);
                var kind = metadata.ElementDataType switch
                {
                    TensorElementType.String => ColumnKind.Categorical,
                    TensorElementType.Float => spec?.Kind is ColumnKind.Boolean ? ColumnKind.Boolean : ColumnKind.Numeric,
                    _ => throw MlOpsException.Of(DiagnosticCodes.OnnxScoringFailed,
                        $"Model input '{name}' takes {metadata.ElementDataType}; the host serves models whose inputs are floats or strings.",
                        new SourceLocation(options.PackagePath), "Export the model with MlOps.Ci, or give it float and string inputs."),
                };
                var known = profile.TryGetValue(name, out var column) && column.TopCategories is { } top ? top.Select(c => c.Value) : [];
                inputs.Add(new InputColumn(inputs.Count, name, kind, known));
            }

            // The card lists the outputs worth reading (not ML.NET's unusedOutput); a hand-made card may list none.
            var wanted = card.Signature.Outputs.Count > 0 ? card.Signature.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal) : null;
            var outputs = new List<OutputColumn>();
            foreach (var (name, metadata) in session.OutputMetadata)
            {
                if (wanted is not null ? !wanted.Contains(name) : name.EndsWith("unusedOutput", StringComparison.Ordinal))
                    continue;
                if (!OutputColumn.IsSupported(metadata.ElementDataType))
                {
                    logger.LogWarning("Model output '{Output}' is {Type}, which the host does not return; it is left out.", name, metadata.ElementDataType);
                    continue;
                }
                var width = metadata.Dimensions.Length >= 2 && metadata.Dimensions[^1] > 0 ? metadata.Dimensions[^1] : 0;
                outputs.Add(new OutputColumn(outputs.Count, name, metadata.ElementDataType, width));
            }
            var served = new ServedModel(package, options.ModelName ?? card.Name, session, provider, inputs, [.. outputs]);
            logger.LogInformation("Serving model {Model} {Version} ({Fingerprint}) on {Provider}: {Inputs} inputs, outputs {Outputs}.",
                served.Name, served.Version, served.Fingerprint, provider, inputs.Count, string.Join(", ", outputs.Select(o => o.Name)));
            return served;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Runs the graph on the batch's rows and copies its outputs into the batch.</summary>
    public void Score(ScoringBatch batch)
    {
        using var results = _session.Run(SharedRunOptions, _inputNames, batch.Inputs(), _outputNames);
        var index = 0;
        foreach (var result in results)
            batch.Take(index++, result, batch.Rows);
    }

    /// <summary>A predicted label as the shared class-name instance (no string per row when it is a known class).</summary>
    public string ClassName(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > 256)
            return System.Text.Encoding.UTF8.GetString(utf8);
        Span<char> chars = stackalloc char[utf8.Length];
        var label = chars[..System.Text.Encoding.UTF8.GetChars(utf8, chars)];
        return _classes.TryGetValue(label, out var known) ? known : new string(label);
    }

    private int IndexOf(string column) => Array.FindIndex(Outputs, o => o.Name == column);

    public void Dispose() => _session.Dispose();
}
