using System.Globalization;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Pipeline;
using nietras.SeparatedValues;

namespace MlOps.Ci.Data;

/// <summary>
/// Reads every row of every data file once, streaming, and checks it against the resolved schema: column count,
/// numbers, booleans, required values, allowed values and ranges, and a present label. Memory does not grow with the
/// file: only label classes are kept.
/// </summary>
public static class DataValidator
{
    /// <summary>Validates the definition's local data files (no remote data, no cached fingerprints).</summary>
    public static ValidationReport Validate(PipelineDefinition definition) =>
        Validate(definition, DataSource.LocalFiles(definition), ContentHash.OfFile);

    public static ValidationReport Validate(PipelineDefinition definition, IReadOnlyList<DataSource> sources, Func<string, string> fingerprintOf)
    {
        if (definition.TrainingData.Count == 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.NoTrainingData, "The project declares no TrainingData.", new SourceLocation(definition.ProjectFile),
                "Add <TrainingData Include=\"data/train.csv\" /> to an ItemGroup.");
        }
        var declared = definition.SchemaFile is { } schemaPath ? SchemaFile.Load(schemaPath) : null;
        var bag = new DiagnosticBag();
        var firstFile = sources.First(s => s.Role == DataRole.Training).LocalPath;
        var schema = ResolveSchema(definition, declared, firstFile, bag);

        var labelCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        var evaluationLabels = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        var files = new List<DataFileReport>();
        foreach (var source in sources)
        {
            var rows = ValidateFile(source.LocalPath, source.Role, schema, bag, source.Role == DataRole.Training ? labelCounts : null,
                source.Role == DataRole.Evaluation ? evaluationLabels : null);
            files.Add(new DataFileReport(source.Location, source.LocalPath, source.Role, rows, fingerprintOf(source.LocalPath)));
        }
        bag.ThrowIfErrors();

        var labels = LabelClasses.Resolve(definition, labelCounts.Keys, new SourceLocation(firstFile));
        if (labels.Classes.Count > 0)
        {
            foreach (var (label, where) in evaluationLabels)
            {
                if (!labels.Classes.Contains(label))
                {
                    bag.Add(Diagnostic.Error(DiagnosticCodes.UnknownLabelInEvaluation, $"Evaluation label '{label}' never occurs in the training data.", where,
                        "The model cannot predict a class it never saw: add examples to the training data or fix the label."));
                }
            }
            bag.ThrowIfErrors();
        }
        return new ValidationReport(schema, labels, files, bag.Warnings.ToList());
    }

    private static DataSchema ResolveSchema(PipelineDefinition definition, SchemaFile? declared, string firstFile, DiagnosticBag bag)
    {
        using var reader = CsvFile.Open(firstFile);
        var header = CsvFile.ReadHeader(reader, firstFile);
        var sample = new List<string[]>(SchemaResolver.SampleRows);
        foreach (var row in reader)
        {
            if (sample.Count == SchemaResolver.SampleRows)
                break;
            var values = new string[row.ColCount];
            for (var i = 0; i < values.Length; i++)
                values[i] = row[i].ToString();
            sample.Add(values);
        }
        var warnings = new List<Diagnostic>();
        var schema = SchemaResolver.Resolve(definition, declared, firstFile, header, sample, warnings);
        foreach (var warning in warnings)
            bag.Add(warning);
        return schema;
    }

    private static long ValidateFile(string path, DataRole role, DataSchema schema, DiagnosticBag bag,
        Dictionary<string, long>? labelCounts, Dictionary<string, SourceLocation>? evaluationLabels)
    {
        using var reader = CsvFile.Open(path);
        var header = CsvFile.ReadHeader(reader, path);
        var columns = MapColumns(path, role, header, schema);
        var labelIndex = Array.FindIndex(columns, c => c.Name == schema.LabelColumn);
        var labelLookup = labelCounts?.GetAlternateLookup<ReadOnlySpan<char>>();
        var isRegression = schema.Find(schema.LabelColumn)!.Kind == ColumnKind.Numeric;

        long rows = 0;
        foreach (var row in reader)
        {
            rows++;
            if (row.ColCount != columns.Length)
            {
                bag.Add(Diagnostic.Error(DiagnosticCodes.RaggedRow, $"Row has {row.ColCount} values but the header has {columns.Length} columns.",
                    new SourceLocation(path, row.LineNumberFrom, Math.Min(row.ColCount, columns.Length) + 1),
                    "Quote values that contain the separator, and check for a missing or extra separator."));
                continue;
            }
            for (var i = 0; i < columns.Length; i++)
            {
                var text = row[i].Span;
                if (i == labelIndex)
                {
                    if (CellValues.IsMissing(text))
                    {
                        bag.Add(Diagnostic.Error(DiagnosticCodes.LabelValueMissing, $"Label '{schema.LabelColumn}' is missing.", new SourceLocation(path, row.LineNumberFrom, i + 1),
                            "Every training and evaluation row needs a label; drop unlabelled rows."));
                    }
                    else if (isRegression)
                    {
                        CheckNumber(columns[i], text, path, row.LineNumberFrom, i, bag);
                    }
                    else if (labelLookup is { } lookup)
                    {
                        var trimmed = text.Trim();
                        if (lookup.TryGetValue(trimmed, out var count))
                            lookup[trimmed] = count + 1;
                        else
                            lookup[trimmed] = 1;
                    }
                    else if (evaluationLabels is not null)
                    {
                        evaluationLabels.TryAdd(text.Trim().ToString(), new SourceLocation(path, row.LineNumberFrom, i + 1));
                    }
                    continue;
                }
                CheckCell(columns[i], text, path, row.LineNumberFrom, i, bag);
            }
        }
        if (rows == 0)
        {
            bag.Add(Diagnostic.Error(DiagnosticCodes.DataFileHasNoRows, $"Data file '{Path.GetFileName(path)}' has a header but no rows.", new SourceLocation(path, 2, 1),
                "Add data rows below the header, or remove the file from the project."));
        }
        return rows;
    }

    /// <summary>Every file must have the training file's columns; order may differ, so columns are matched by name.</summary>
    private static ColumnSchema[] MapColumns(string path, DataRole role, IReadOnlyList<string> header, DataSchema schema)
    {
        var missing = schema.Columns.Where(c => !header.Contains(c.Name)).Select(c => c.Name).ToList();
        var extra = header.Where(h => schema.Find(h) is null).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0)
                parts.Add($"missing {string.Join(", ", missing)}");
            if (extra.Count > 0)
                parts.Add($"unexpected {string.Join(", ", extra)}");
            throw MlOpsException.Of(DiagnosticCodes.EvaluationColumnsDiffer,
                $"{role} file '{Path.GetFileName(path)}' does not have the columns of the first training file: {string.Join("; ", parts)}.",
                new SourceLocation(path, 1, 1), "Every data file of a model must have the same header.");
        }
        return header.Select(h => schema.Find(h)!).ToArray();
    }

    private static void CheckCell(ColumnSchema column, ReadOnlySpan<char> text, string path, int line, int index, DiagnosticBag bag)
    {
        switch (column.Kind)
        {
            case ColumnKind.Numeric:
                CheckNumber(column, text, path, line, index, bag);
                break;
            case ColumnKind.Boolean:
                if (!CellValues.TryParseBoolean(text, out _))
                {
                    if (CellValues.IsMissing(text))
                        CheckRequired(column, path, line, index, bag);
                    else
                    {
                        bag.Add(Diagnostic.Error(DiagnosticCodes.UnparsableBoolean, $"'{text}' in column '{column.Name}' is not a boolean.", new SourceLocation(path, line, index + 1),
                            "Use true/false, yes/no or 1/0, or declare the column categorical in the schema file."));
                    }
                }
                break;
            case ColumnKind.Categorical:
            case ColumnKind.Ignore:
                if ((column.Required || column.Allowed is not null) && CellValues.IsMissing(text))
                {
                    CheckRequired(column, path, line, index, bag);
                }
                else if (column.Allowed is { } allowed && !Contains(allowed, text.Trim()))
                {
                    bag.Add(Diagnostic.Error(DiagnosticCodes.ValueNotAllowed,
                        $"'{text}' in column '{column.Name}' is not one of the allowed values ({string.Join(", ", allowed.Take(10))}{(allowed.Count > 10 ? ", …" : "")}).",
                        new SourceLocation(path, line, index + 1), "Fix the value, or add it to \"allowed\" in the schema file."));
                }
                break;
        }
    }

    private static void CheckNumber(ColumnSchema column, ReadOnlySpan<char> text, string path, int line, int index, DiagnosticBag bag)
    {
        if (CellValues.TryParseNumber(text, out var value))
        {
            if (value < column.Minimum || value > column.Maximum)
            {
                bag.Add(Diagnostic.Error(DiagnosticCodes.ValueOutOfRange,
                    $"{value.ToString(CultureInfo.InvariantCulture)} in column '{column.Name}' is outside [{column.Minimum?.ToString(CultureInfo.InvariantCulture) ?? "-inf"}, {column.Maximum?.ToString(CultureInfo.InvariantCulture) ?? "inf"}].",
                    new SourceLocation(path, line, index + 1), "Fix the value, or widen minimum/maximum in the schema file."));
            }
        }
        else if (CellValues.IsMissing(text))
        {
            CheckRequired(column, path, line, index, bag);
        }
        else
        {
            bag.Add(Diagnostic.Error(DiagnosticCodes.UnparsableNumber, $"'{text}' in column '{column.Name}' is not a number.", new SourceLocation(path, line, index + 1),
                column.Declared
                    ? "Fix the value (numbers use '.' for decimals), or declare the column categorical in the schema file."
                    : "The column was inferred numeric from its first rows. Fix the value (numbers use '.' for decimals), or add <CategoricalColumn Include=\"" + column.Name + "\" />."));
        }
    }

    private static void CheckRequired(ColumnSchema column, string path, int line, int index, DiagnosticBag bag)
    {
        if (column.Required)
        {
            bag.Add(Diagnostic.Error(DiagnosticCodes.RequiredValueMissing, $"Required column '{column.Name}' has no value.", new SourceLocation(path, line, index + 1),
                "Fill in the value, or mark the column \"required\": false in the schema file."));
        }
    }

    private static bool Contains(IReadOnlyList<string> allowed, ReadOnlySpan<char> value)
    {
        foreach (var candidate in allowed)
        {
            if (value.SequenceEqual(candidate))
                return true;
        }
        return false;
    }
}
