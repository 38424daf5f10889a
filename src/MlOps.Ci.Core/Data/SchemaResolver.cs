using MlOps.Ci.Diagnostics;
using MlOps.Ci.Training.Features;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Data;

/// <summary>
/// Decides each column's kind: the declared schema first, then the project's IgnoreColumns/CategoricalColumns, then
/// inference from a sample of the first training file (like pandas or ML.NET's column inference, but written down in
/// validation.json so a user can see and pin it).
/// </summary>
public static class SchemaResolver
{
    public const int SampleRows = 1000;

    public static DataSchema Resolve(PipelineDefinition definition, SchemaFile? declared, string firstFile, IReadOnlyList<string> header,
        IReadOnlyList<string[]> sample, ICollection<Diagnostic> warnings)
    {
        var project = new SourceLocation(definition.ProjectFile);
        if (!header.Contains(definition.LabelColumn))
        {
            throw MlOpsException.Of(DiagnosticCodes.LabelColumnMissing,
                $"Label column '{definition.LabelColumn}' is not in '{Path.GetFileName(firstFile)}'. Its columns are: {string.Join(", ", header)}.",
                new SourceLocation(firstFile, 1, 1), "Set LabelColumn to one of the header names (names are case-sensitive).");
        }
        foreach (var column in declared?.Columns ?? [])
        {
            if (!header.Contains(column.Name))
            {
                throw MlOpsException.Of(DiagnosticCodes.DeclaredColumnMissing, $"The schema file declares column '{column.Name}', which is not in '{Path.GetFileName(firstFile)}'.",
                    new SourceLocation(definition.SchemaFile ?? firstFile), "Remove the column from the schema file or add it to the data.");
            }
        }
        foreach (var name in definition.IgnoreColumns.Concat(definition.CategoricalColumns))
        {
            if (!header.Contains(name))
            {
                throw MlOpsException.Of(DiagnosticCodes.IgnoredColumnMissing, $"Column '{name}' named in the project is not in '{Path.GetFileName(firstFile)}'.",
                    project, "Check the spelling of the IgnoreColumn/CategoricalColumn item (names are case-sensitive).");
            }
        }

        var dropped = FeaturePlan.DroppedColumns(definition);
        var columns = new List<ColumnSchema>(header.Count);
        for (var index = 0; index < header.Count; index++)
        {
            var name = header[index];
            var declaredColumn = declared?.Columns.FirstOrDefault(c => c.Name == name);
            ColumnSchema column;
            if (declaredColumn is not null)
            {
                column = new ColumnSchema(name, declaredColumn.Type)
                {
                    Required = declaredColumn.Required,
                    Allowed = declaredColumn.Allowed,
                    Minimum = declaredColumn.Minimum,
                    Maximum = declaredColumn.Maximum,
                    Declared = true,
                };
            }
            else if (name == definition.LabelColumn)
            {
                column = new ColumnSchema(name, definition.ModelTask == ModelTask.Regression ? ColumnKind.Numeric : ColumnKind.Categorical);
            }
            else if (definition.IgnoreColumns.Contains(name))
            {
                column = new ColumnSchema(name, ColumnKind.Ignore);
            }
            else if (definition.CategoricalColumns.Contains(name))
            {
                column = new ColumnSchema(name, ColumnKind.Categorical);
            }
            else
            {
                column = new ColumnSchema(name, Infer(sample, index));
                WarnIfIdentifier(column, sample, index, firstFile, warnings);
            }
            // A Feature with Transform="Drop" leaves the column out of the model whatever its kind, as IgnoreColumn does.
            if (dropped.Contains(name) && name != definition.LabelColumn)
                column = column with { Kind = ColumnKind.Ignore };
            columns.Add(column);
        }

        var schema = new DataSchema(columns, definition.LabelColumn);
        FeaturePlan.CheckAgainst(definition, schema, firstFile);
        if (!schema.Features.Any())
        {
            throw MlOpsException.Of(DiagnosticCodes.NoFeatureColumns, "No feature columns are left once the label and ignored columns are taken out.",
                new SourceLocation(firstFile, 1, 1), "Keep at least one column as a feature.");
        }
        return schema;
    }

    /// <summary>
    /// A column is numeric when nearly every sampled value is a number. A few values that are not (at most 2%) make
    /// it a numeric column with bad cells, which validation then reports by line, rather than silently turning a
    /// corrupted numeric column into categories.
    /// </summary>
    private static ColumnKind Infer(IReadOnlyList<string[]> sample, int index)
    {
        int present = 0, numbers = 0, booleans = 0;
        foreach (var row in sample)
        {
            if (index >= row.Length || CellValues.IsMissing(row[index]))
                continue;
            present++;
            if (CellValues.TryParseNumber(row[index], out _))
                numbers++;
            if (CellValues.TryParseBoolean(row[index], out _))
                booleans++;
        }
        if (present == 0 || numbers == present)
            return ColumnKind.Numeric;
        if (booleans == present)
            return ColumnKind.Boolean;
        var tolerated = Math.Max(1, present / 50);
        return present - numbers <= tolerated && numbers >= 10 ? ColumnKind.Numeric : ColumnKind.Categorical;
    }

    private static void WarnIfIdentifier(ColumnSchema column, IReadOnlyList<string[]> sample, int index, string file, ICollection<Diagnostic> warnings)
    {
        if (column.Kind != ColumnKind.Categorical || sample.Count < 100)
            return;
        var values = sample.Where(r => index < r.Length && !CellValues.IsMissing(r[index])).Select(r => r[index]).ToList();
        if (values.Count >= 100 && values.Distinct(StringComparer.Ordinal).Count() == values.Count)
        {
            warnings.Add(Diagnostic.Warning(DiagnosticCodes.IdentifierLikeColumn,
                $"Column '{column.Name}' has a different value in every sampled row; as a categorical feature it only memorises rows.",
                new SourceLocation(file, 1, index + 1), $"Add <IgnoreColumn Include=\"{column.Name}\" /> if it is an identifier."));
        }
    }
}
