using System.Text;
using System.Text.Json;
using MlOps.Ci.Data;

namespace MlOps.Ci.Serving.Model;

/// <summary>
/// One input of the model as a client sends it: a column by name whose kind (from the model card) says which JSON
/// values it takes. Numeric and boolean columns reach the graph as floats (NaN when missing), categorical ones as
/// strings ("" when missing), exactly as the training data was loaded.
/// </summary>
internal sealed class InputColumn
{
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _categories;

    public InputColumn(int index, string name, ColumnKind kind, IEnumerable<string> knownCategories)
    {
        Index = index;
        Name = name;
        Kind = kind;
        Utf8Name = Encoding.UTF8.GetBytes(name);
        JsonName = JsonEncodedText.Encode(name);
        // The categories seen in training, so the usual values cost no string per request; never written to after
        // construction, so concurrent readers are safe.
        var categories = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var category in knownCategories)
            categories.TryAdd(category, category);
        _categories = categories.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Index { get; }
    public string Name { get; }
    public ColumnKind Kind { get; }
    public byte[] Utf8Name { get; }
    public JsonEncodedText JsonName { get; }
    public bool IsText => Kind == ColumnKind.Categorical;

    /// <summary>The Open Inference Protocol datatype of the graph input.</summary>
    public string Datatype => IsText ? TensorTypes.Bytes : TensorTypes.Fp32;

    /// <summary>What a client must send, for messages: "a number", "a string", "true/false".</summary>
    public string Expected => Kind switch
    {
        ColumnKind.Numeric => "a number",
        ColumnKind.Boolean => "a boolean (true/false, \"yes\"/\"no\", 1/0)",
        _ => "a string",
    };

    /// <summary>A category as training read it: trimmed, missing markers as "", a known value as the shared instance.</summary>
    public string Category(ReadOnlySpan<char> text)
    {
        if (CellValues.IsMissing(text))
            return "";
        text = text.Trim();
        return _categories.TryGetValue(text, out var known) ? known : new string(text);
    }
}
