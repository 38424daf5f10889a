using System.Text.Json;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Ci.Evaluation;

namespace MlOps.Ci.Serving.Model;

/// <summary>One output of the graph, named as the model's column (Score, not ML.NET's Score.output).</summary>
internal sealed class OutputColumn(int index, string graphName, TensorElementType elementType, int width)
{
    public int Index { get; } = index;
    public string GraphName { get; } = graphName;
    public string Name { get; } = OnnxScorer.ColumnNameOf(graphName);
    public JsonEncodedText JsonName { get; } = JsonEncodedText.Encode(OnnxScorer.ColumnNameOf(graphName));
    public TensorElementType ElementType { get; } = elementType;

    /// <summary>Values per row (the number of classes for a multiclass Score); 0 when the graph leaves it open.</summary>
    public int Width { get; } = width;

    public string Datatype => TensorTypes.Of(ElementType);

    public static bool IsSupported(TensorElementType type) => type is TensorElementType.Float or TensorElementType.Bool or TensorElementType.String;
}
