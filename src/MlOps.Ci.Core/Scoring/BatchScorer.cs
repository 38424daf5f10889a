using System.Diagnostics;
using System.Globalization;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;
using nietras.SeparatedValues;

namespace MlOps.Ci.Scoring;

public sealed record BatchScoringResult(string Output, long Rows, double Seconds)
{
    public double RowsPerSecond => Seconds > 0 ? Rows / Seconds : 0;
}

/// <summary>
/// Batch inference (<c>mlops score</c>): a CSV in, the same CSV out with the model's predictions appended. Rows are read,
/// checked against the model card's input schema and scored in chunks, so memory stays bounded for any file size;
/// the output is written atomically, so a bad row part-way never leaves a half-written file.
/// </summary>
public static class BatchScorer
{
    public const int ChunkRows = 65_536;

    public static BatchScoringResult Score(string packagePath, string inputPath, string outputPath)
    {
        var package = ModelPackage.Read(packagePath);
        var inputs = package.Card.Signature.Inputs;
        using var scorer = OnnxScorer.Load(package.Onnx, packagePath);
        var clock = Stopwatch.StartNew();
        long rows = 0;
        using var reader = CsvFile.Open(inputPath);
        var header = CsvFile.ReadHeader(reader, inputPath);
        // Rows are copied through as read, so the predictions are appended with the file's own separator.
        var separator = reader.Spec.Sep.Separator;
        var indexes = inputs.Select(i => Array.IndexOf(header.ToArray(), i.Name)).ToArray();
        var missing = inputs.Where((_, k) => indexes[k] < 0).Select(i => i.Name).ToList();
        if (missing.Count > 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.EvaluationColumnsDiffer,
                $"'{Path.GetFileName(inputPath)}' lacks the model's input column(s) {string.Join(", ", missing)}.", new SourceLocation(inputPath, 1, 1),
                $"The model takes: {string.Join(", ", inputs.Select(i => i.Name))} (see 'mlops inspect').");
        }

        AtomicFile.Write(outputPath, stream =>
        {
            using var text = new StreamWriter(stream, leaveOpen: true);
            var outputNames = new List<string>();
            var lines = new List<string>(ChunkRows);
            var columns = inputs.Select(i => i.Kind is ColumnKind.Categorical ? (object)new string[ChunkRows] : new float[ChunkRows]).ToArray();
            var bag = new DiagnosticBag();
            foreach (var row in reader)
            {
                if (row.ColCount != header.Count)
                {
                    bag.Add(Diagnostic.Error(DiagnosticCodes.RaggedRow, $"Row has {row.ColCount} values but the header has {header.Count} columns.",
                        new SourceLocation(inputPath, row.LineNumberFrom, 1), "Quote values that contain the separator."));
                    continue;
                }
                var at = lines.Count;
                for (var k = 0; k < inputs.Count; k++)
                {
                    var cell = row[indexes[k]].Span;
                    switch (columns[k])
                    {
                        case string[] strings:
                            strings[at] = CellValues.IsMissing(cell) ? "" : cell.Trim().ToString();
                            break;
                        case float[] numbers when inputs[k].Kind == ColumnKind.Boolean:
                            numbers[at] = CellValues.TryParseBoolean(cell, out var flag) ? (flag ? 1 : 0)
                                : CellValues.IsMissing(cell) ? float.NaN : Bad(bag, inputPath, row.LineNumberFrom, indexes[k], inputs[k].Name, cell, "a boolean");
                            break;
                        case float[] numbers:
                            numbers[at] = CellValues.TryParseNumber(cell, out var number) ? number
                                : CellValues.IsMissing(cell) ? float.NaN : Bad(bag, inputPath, row.LineNumberFrom, indexes[k], inputs[k].Name, cell, "a number");
                            break;
                    }
                }
                lines.Add(row.Span.ToString());
                rows++;
                if (lines.Count == ChunkRows)
                    Flush(scorer, inputs, columns, lines, outputNames, header, separator, text, bag);
            }
            Flush(scorer, inputs, columns, lines, outputNames, header, separator, text, bag);
            bag.ThrowIfErrors();
        });
        return new BatchScoringResult(outputPath, rows, clock.Elapsed.TotalSeconds);
    }

    private static float Bad(DiagnosticBag bag, string path, int line, int index, string name, ReadOnlySpan<char> cell, string expected)
    {
        bag.Add(Diagnostic.Error(DiagnosticCodes.UnparsableNumber, $"'{cell}' in column '{name}' is not {expected}.", new SourceLocation(path, line, index + 1),
            "The model's input schema says what each column holds ('mlops inspect')."));
        return float.NaN;
    }

    private static void Flush(OnnxScorer scorer, IReadOnlyList<TensorSpec> inputs, object[] columns, List<string> lines, List<string> outputNames,
        IReadOnlyList<string> header, char separator, StreamWriter text, DiagnosticBag bag)
    {
        if (bag.HasErrors)
        {
            lines.Clear();
            return;
        }
        var count = lines.Count;
        var features = inputs.Select<TensorSpec, TableColumn>((input, k) => columns[k] switch
        {
            string[] strings => new Data.TextColumn(input.Name, count == strings.Length ? strings : strings[..count]),
            float[] numbers => new NumericColumn(input.Name, input.Kind ?? ColumnKind.Numeric, count == numbers.Length ? numbers : numbers[..count]),
            _ => throw new InvalidOperationException(),
        }).ToList();
        var outputs = count == 0 ? new Dictionary<string, ScoredOutput>() : scorer.Score(features, count).Values
            .Where(o => !o.Name.EndsWith("unusedOutput", StringComparison.Ordinal)).ToDictionary(o => o.Name);
        if (outputNames.Count == 0)
        {
            outputNames.AddRange(outputs.Keys.Order(StringComparer.Ordinal));
            text.Write(string.Join(separator, header.Select(h => Quote(h, separator))));
            foreach (var name in outputNames)
                text.Write(outputs[name].Width > 1 ? string.Concat(Enumerable.Range(0, outputs[name].Width).Select(i => $"{separator}{name}.{i}")) : $"{separator}{name}");
            text.Write('\n');
        }
        for (var r = 0; r < count; r++)
        {
            text.Write(lines[r]);
            foreach (var name in outputNames)
            {
                var output = outputs[name];
                for (var w = 0; w < output.Width; w++)
                {
                    text.Write(separator);
                    var i = r * output.Width + w;
                    if (output.Floats is { } floats)
                        text.Write(floats[i].ToString("R", CultureInfo.InvariantCulture));
                    else if (output.Booleans is { } flags)
                        text.Write(flags[i] ? "true" : "false");
                    else if (output.Strings is { } strings)
                        text.Write(Quote(strings[i], separator));
                }
            }
            text.Write('\n');
        }
        lines.Clear();
    }

    private static string Quote(string value, char separator) =>
        value.Contains(separator) || value.AsSpan().IndexOfAny("\"\n\r") >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
}
