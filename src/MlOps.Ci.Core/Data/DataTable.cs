namespace MlOps.Ci.Data;

/// <summary>A column of a loaded table; each kind of data in the representation ML.NET and ONNX Runtime take directly.</summary>
public abstract record TableColumn(string Name, ColumnKind Kind)
{
    /// <summary>A column of the given rows, in that order (a subset, or a permutation for feature importance).</summary>
    public abstract TableColumn Select(IReadOnlyList<int> rows);
}

/// <summary>Numbers and booleans (0/1); NaN where the value is missing.</summary>
public sealed record NumericColumn(string Name, ColumnKind Kind, float[] Values) : TableColumn(Name, Kind)
{
    public override TableColumn Select(IReadOnlyList<int> rows) => this with { Values = rows.Select(r => Values[r]).ToArray() };
}

/// <summary>Categories as text; empty where the value is missing.</summary>
public sealed record TextColumn(string Name, string[] Values) : TableColumn(Name, ColumnKind.Categorical)
{
    public override TableColumn Select(IReadOnlyList<int> rows) => this with { Values = rows.Select(r => Values[r]).ToArray() };
}

/// <summary>
/// Data files loaded column by column, after validation: the features in schema order and the label, raw (as text for
/// classification, as numbers for regression).
/// </summary>
public sealed class DataTable
{
    private DataTable(IReadOnlyList<TableColumn> features, TableColumn label, int rowCount)
    {
        Features = features;
        Label = label;
        RowCount = rowCount;
    }

    public IReadOnlyList<TableColumn> Features { get; }
    public TableColumn Label { get; }
    public int RowCount { get; }

    /// <summary>The given rows of every column, in that order.</summary>
    public DataTable Select(IReadOnlyList<int> rows) => new(Features.Select(f => f.Select(rows)).ToList(), Label.Select(rows), rows.Count);

    /// <summary>The same rows with one feature column replaced by <paramref name="column"/> (matched by name).</summary>
    public DataTable WithFeature(TableColumn column) =>
        new(Features.Select(f => f.Name == column.Name ? column : f).ToList(), Label, RowCount);

    public static DataTable Load(IEnumerable<string> paths, DataSchema schema)
    {
        var featureSchemas = schema.Features.ToList();
        var labelSchema = schema.Find(schema.LabelColumn)!;
        var numbers = featureSchemas.Select(_ => new List<float>()).ToArray();
        var texts = featureSchemas.Select(_ => new List<string>()).ToArray();
        var labelNumbers = new List<float>();
        var labelTexts = new List<string>();
        // Categories repeat: one string instance per distinct value keeps a large table small.
        var pool = new HashSet<string>(StringComparer.Ordinal);
        var poolLookup = pool.GetAlternateLookup<ReadOnlySpan<char>>();

        foreach (var path in paths)
        {
            using var reader = CsvFile.Open(path);
            var header = CsvFile.ReadHeader(reader, path);
            var featureIndexes = featureSchemas.Select(c => IndexOf(header, c.Name)).ToArray();
            var labelIndex = IndexOf(header, labelSchema.Name);
            foreach (var row in reader)
            {
                for (var f = 0; f < featureSchemas.Count; f++)
                {
                    var text = row[featureIndexes[f]].Span;
                    switch (featureSchemas[f].Kind)
                    {
                        case ColumnKind.Numeric:
                            numbers[f].Add(CellValues.TryParseNumber(text, out var number) ? number : float.NaN);
                            break;
                        case ColumnKind.Boolean:
                            numbers[f].Add(CellValues.TryParseBoolean(text, out var flag) ? (flag ? 1f : 0f) : float.NaN);
                            break;
                        default:
                            texts[f].Add(CellValues.IsMissing(text) ? "" : Intern(poolLookup, text.Trim()));
                            break;
                    }
                }
                var label = row[labelIndex].Span;
                if (labelSchema.Kind == ColumnKind.Numeric)
                    labelNumbers.Add(CellValues.TryParseNumber(label, out var value) ? value : float.NaN);
                else
                    labelTexts.Add(Intern(poolLookup, label.Trim()));
            }
        }

        var features = featureSchemas.Select<ColumnSchema, TableColumn>((c, f) => c.Kind is ColumnKind.Numeric or ColumnKind.Boolean
            ? new NumericColumn(c.Name, c.Kind, numbers[f].ToArray())
            : new TextColumn(c.Name, texts[f].ToArray())).ToList();
        TableColumn labelColumn = labelSchema.Kind == ColumnKind.Numeric
            ? new NumericColumn(labelSchema.Name, ColumnKind.Numeric, labelNumbers.ToArray())
            : new TextColumn(labelSchema.Name, labelTexts.ToArray());
        return new DataTable(features, labelColumn, labelSchema.Kind == ColumnKind.Numeric ? labelNumbers.Count : labelTexts.Count);
    }

    private static int IndexOf(IReadOnlyList<string> header, string name)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (header[i] == name)
                return i;
        }
        throw new InvalidOperationException($"Column '{name}' vanished after validation.");
    }

    private static string Intern(HashSet<string>.AlternateLookup<ReadOnlySpan<char>> pool, ReadOnlySpan<char> text)
    {
        if (pool.TryGetValue(text, out var existing))
            return existing;
        var value = text.ToString();
        pool.Add(value);
        return value;
    }
}
