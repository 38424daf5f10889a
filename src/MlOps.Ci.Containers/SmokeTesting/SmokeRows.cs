using System.Text.Json;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Packaging;

namespace MlOps.Ci.Containers.SmokeTesting;

/// <summary>
/// The rows a smoke test sends, held column by column in the representation ONNX Runtime takes (floats with NaN for
/// missing numbers and booleans, strings with "" for missing categories), so the served answer and the package's own
/// prediction are computed from exactly the same values.
/// </summary>
internal sealed class SmokeRows
{
    /// <summary>The quantiles a synthesized row takes per numeric column: the median first, then both tails.</summary>
    private static readonly string[] ProfileQuantiles = ["0.5", "0.1", "0.3", "0.7", "0.9", "0.01", "0.99"];

    private SmokeRows(IReadOnlyList<TensorSpec> inputs, IReadOnlyList<TableColumn> columns, int count, string source, string? path, IReadOnlyList<int>? lines = null)
    {
        Lines = lines;
        Inputs = inputs;
        Columns = columns;
        Count = count;
        Source = source;
        Path = path;
    }

    public IReadOnlyList<TensorSpec> Inputs { get; }
    public IReadOnlyList<TableColumn> Columns { get; }
    public int Count { get; }

    /// <summary>Where the rows came from, for messages: a CSV path or "the data profile".</summary>
    public string Source { get; }

    /// <summary>The CSV the rows were read from, if any: where a message about a row points.</summary>
    public string? Path { get; }

    /// <summary>Each row's line in <see cref="Path"/>.</summary>
    public IReadOnlyList<int>? Lines { get; }

    public static SmokeRows For(ModelPackage package, string? csvPath, int limit) =>
        csvPath is null ? FromProfile(package) : FromCsv(package, csvPath, limit);

    /// <summary>
    /// Rows made from the training data's profile: numeric columns at the median and at quantiles in both tails, booleans
    /// from the same quantiles, categories cycling through the most frequent ones; and one row with every value missing,
    /// which exercises the imputation inside the graph.
    /// </summary>
    public static SmokeRows FromProfile(ModelPackage package)
    {
        var inputs = package.Card.Signature.Inputs;
        var count = ProfileQuantiles.Length + 1;
        var columns = new List<TableColumn>();
        foreach (var input in inputs)
        {
            var profile = package.Profile.Columns.FirstOrDefault(c => c.Name == input.Name);
            if (IsText(input))
            {
                var categories = profile?.TopCategories is { Count: > 0 } top ? top.Select(c => c.Value).ToArray() : [""];
                columns.Add(new TextColumn(input.Name, Enumerable.Range(0, count).Select(i => i == count - 1 ? "" : categories[i % categories.Length]).ToArray()));
            }
            else
            {
                var values = new float[count];
                for (var i = 0; i < count - 1; i++)
                {
                    var value = profile?.Quantiles?.GetValueOrDefault(ProfileQuantiles[i]) ?? profile?.Mean ?? 0;
                    values[i] = input.Kind == ColumnKind.Boolean ? (value >= 0.5 ? 1 : 0) : (float)value;
                }
                values[^1] = float.NaN;
                columns.Add(new NumericColumn(input.Name, input.Kind ?? ColumnKind.Numeric, values));
            }
        }
        return new SmokeRows(inputs, columns, count, "the package's data profile", null);
    }

    public static SmokeRows FromCsv(ModelPackage package, string path, int limit)
    {
        var inputs = package.Card.Signature.Inputs;
        using var reader = CsvFile.Open(path);
        var header = CsvFile.ReadHeader(reader, path);
        var indexes = inputs.Select(i => header.ToList().IndexOf(i.Name)).ToArray();
        var missing = inputs.Where((_, k) => indexes[k] < 0).Select(i => i.Name).ToList();
        if (missing.Count > 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.EvaluationColumnsDiffer,
                $"The smoke-test data '{System.IO.Path.GetFileName(path)}' lacks the model's input column(s) {string.Join(", ", missing)}.", new SourceLocation(path, 1, 1),
                $"The model takes: {string.Join(", ", inputs.Select(i => i.Name))}.");
        }
        var numbers = inputs.Select(_ => new List<float>()).ToArray();
        var texts = inputs.Select(_ => new List<string>()).ToArray();
        var count = 0;
        var lines = new List<int>();
        foreach (var row in reader)
        {
            if (count == limit)
                break;
            lines.Add(row.LineNumberFrom);
            for (var k = 0; k < inputs.Count; k++)
            {
                var cell = indexes[k] < row.ColCount ? row[indexes[k]].Span : [];
                if (IsText(inputs[k]))
                    texts[k].Add(CellValues.IsMissing(cell) ? "" : cell.Trim().ToString());
                else if (inputs[k].Kind == ColumnKind.Boolean)
                    numbers[k].Add(CellValues.TryParseBoolean(cell, out var flag) ? (flag ? 1 : 0) : float.NaN);
                else
                    numbers[k].Add(CellValues.TryParseNumber(cell, out var number) ? number : float.NaN);
            }
            count++;
        }
        if (count == 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.DataFileHasNoRows, $"The smoke-test data '{System.IO.Path.GetFileName(path)}' has no rows.", new SourceLocation(path),
                "Give a CSV with at least one row, or none to use rows made from the package's data profile.");
        }
        var columns = inputs.Select<TensorSpec, TableColumn>((input, k) => IsText(input)
            ? new TextColumn(input.Name, texts[k].ToArray())
            : new NumericColumn(input.Name, input.Kind ?? ColumnKind.Numeric, numbers[k].ToArray())).ToList();
        return new SmokeRows(inputs, columns, count, path, path, lines);
    }

    /// <summary>The /predict body: <c>{"rows": [{column: value, …}, …]}</c>, missing values as null.</summary>
    public byte[] ToRequestBody()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("rows");
            for (var row = 0; row < Count; row++)
            {
                json.WriteStartObject();
                WriteRow(json, row);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>One row as JSON, for messages about it.</summary>
    public string Describe(int row)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            WriteRow(json, row);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private void WriteRow(Utf8JsonWriter json, int row)
    {
        foreach (var column in Columns)
        {
            json.WritePropertyName(column.Name);
            switch (column)
            {
                case TextColumn text when text.Values[row].Length == 0:
                case NumericColumn numeric when float.IsNaN(numeric.Values[row]):
                    json.WriteNullValue();
                    break;
                case TextColumn text:
                    json.WriteStringValue(text.Values[row]);
                    break;
                case NumericColumn { Kind: ColumnKind.Boolean } flag:
                    json.WriteBooleanValue(flag.Values[row] != 0);
                    break;
                case NumericColumn numeric:
                    json.WriteNumberValue(numeric.Values[row]);
                    break;
            }
        }
    }

    private static bool IsText(TensorSpec input) =>
        input.Kind is ColumnKind.Categorical || input.Kind is null && input.ElementType.Equals("string", StringComparison.OrdinalIgnoreCase);
}
