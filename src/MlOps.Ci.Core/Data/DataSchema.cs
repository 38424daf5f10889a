using System.Text.Json.Serialization;

namespace MlOps.Ci.Data;

public enum ColumnKind
{
    /// <summary>A number; missing values become NaN and are replaced by the training mean in the model.</summary>
    Numeric,

    /// <summary>A value from a set of categories; one-hot encoded inside the ONNX graph.</summary>
    Categorical,

    /// <summary>true/false, yes/no, 1/0; a 0/1 feature.</summary>
    Boolean,

    /// <summary>Neither feature nor label: read, checked if declared, then left out of the model.</summary>
    Ignore,
}

/// <summary>What one column holds and which values are acceptable.</summary>
public sealed record ColumnSchema(string Name, ColumnKind Kind)
{
    public bool Required { get; init; }
    public IReadOnlyList<string>? Allowed { get; init; }
    public double? Minimum { get; init; }
    public double? Maximum { get; init; }

    /// <summary>True when the column came from the declared schema file rather than inference.</summary>
    public bool Declared { get; init; }
}

/// <summary>The columns of the data in header order, with the label named.</summary>
public sealed record DataSchema(IReadOnlyList<ColumnSchema> Columns, string LabelColumn)
{
    public ColumnSchema? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);

    /// <summary>The columns the model takes as input, in header order.</summary>
    [JsonIgnore]
    public IEnumerable<ColumnSchema> Features => Columns.Where(c => c.Name != LabelColumn && c.Kind != ColumnKind.Ignore);
}
