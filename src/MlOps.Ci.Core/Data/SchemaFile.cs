using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;

namespace MlOps.Ci.Data;

/// <summary>
/// The optional declared schema, e.g. <c>{ "columns": [ { "name": "Tenure", "type": "numeric", "required": true, "minimum": 0 } ] }</c>.
/// Declared columns win over inference; undeclared columns are still inferred.
/// </summary>
public sealed record SchemaFile(IReadOnlyList<DeclaredColumn> Columns)
{
    public static SchemaFile Load(string path)
    {
        var file = MlOpsJson.ReadFile<SchemaFile>(path, DiagnosticCodes.SchemaFileInvalid,
            "See the README's 'Declared schema' section for the format; obj/mlops/validation.json holds the inferred schema to start from.");
        foreach (var column in file.Columns ?? [])
        {
            if (string.IsNullOrWhiteSpace(column.Name))
                throw MlOpsException.Of(DiagnosticCodes.SchemaFileInvalid, "A column in the schema file has no name.", new SourceLocation(path), "Give every column a \"name\".");
            if (column.Minimum > column.Maximum)
            {
                throw MlOpsException.Of(DiagnosticCodes.SchemaFileInvalid, $"Column '{column.Name}' has minimum {column.Minimum} above maximum {column.Maximum}.",
                    new SourceLocation(path), "Swap or correct the bounds.");
            }
        }
        return file with { Columns = file.Columns ?? [] };
    }
}

public sealed record DeclaredColumn(string Name, ColumnKind Type)
{
    public bool Required { get; init; }
    public IReadOnlyList<string>? Allowed { get; init; }
    public double? Minimum { get; init; }
    public double? Maximum { get; init; }
}
