using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlOps.Ci.Serving.Model;

/// <summary>The Open Inference Protocol's tensor datatypes, and which of them can carry a number.</summary>
internal static class TensorTypes
{
    public const string Fp32 = "FP32";
    public const string Bytes = "BYTES";
    public const string Bool = "BOOL";

    public static string Of(TensorElementType type) => type switch
    {
        TensorElementType.Float => Fp32,
        TensorElementType.Double => "FP64",
        TensorElementType.Float16 => "FP16",
        TensorElementType.Bool => Bool,
        TensorElementType.String => Bytes,
        TensorElementType.Int8 => "INT8",
        TensorElementType.Int16 => "INT16",
        TensorElementType.Int32 => "INT32",
        TensorElementType.Int64 => "INT64",
        TensorElementType.UInt8 => "UINT8",
        TensorElementType.UInt16 => "UINT16",
        TensorElementType.UInt32 => "UINT32",
        TensorElementType.UInt64 => "UINT64",
        _ => type.ToString().ToUpperInvariant(),
    };

    /// <summary>Datatypes whose JSON elements are numbers; a float input accepts any of them.</summary>
    public static bool IsNumeric(ReadOnlySpan<char> datatype) => datatype switch
    {
        "FP32" or "FP64" or "FP16" or "INT8" or "INT16" or "INT32" or "INT64" or "UINT8" or "UINT16" or "UINT32" or "UINT64" => true,
        _ => false,
    };
}
