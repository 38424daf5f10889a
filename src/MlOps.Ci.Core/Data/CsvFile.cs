using MlOps.Ci.Diagnostics;
using nietras.SeparatedValues;

namespace MlOps.Ci.Data;

/// <summary>Opens a delimited data file with Sep (separator detected from the header) and turns the ways it can be unusable into diagnostics.</summary>
public static class CsvFile
{
    public static SepReader Open(string path)
    {
        if (!File.Exists(path))
        {
            throw MlOpsException.Of(DiagnosticCodes.DataFileNotFound, $"Data file '{path}' does not exist.", new SourceLocation(path),
                "Check the Include of the TrainingData/EvaluationData item, relative to the project folder.");
        }
        if (new FileInfo(path).Length == 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.DataFileEmpty, $"Data file '{Path.GetFileName(path)}' is empty.", new SourceLocation(path, 1, 1),
                "A data file starts with a header line naming its columns, followed by one line per row.");
        }
        SepReader reader;
        try
        {
            reader = Sep.Reader(options => options with { Unescape = true, DisableColCountCheck = true }).FromFile(path);
        }
        catch (Exception exception) when (exception is InvalidDataException or ArgumentException or NotSupportedException)
        {
            // Sep refuses a header that repeats a name; name the column the way ReadHeader would rather than call the file unreadable.
            if (exception is ArgumentException && FindDuplicate(HeaderRow(path), path) is { } duplicate)
                throw duplicate;
            throw MlOpsException.Of(DiagnosticCodes.UnreadableCsv, $"Data file '{Path.GetFileName(path)}' cannot be read as CSV: {exception.Message}",
                new SourceLocation(path, 1, 1), "Save it as UTF-8 CSV with a header line.");
        }
        if (reader.Header.IsEmpty || reader.Header.ColNames.All(string.IsNullOrWhiteSpace))
        {
            reader.Dispose();
            throw MlOpsException.Of(DiagnosticCodes.DataFileEmpty, $"Data file '{Path.GetFileName(path)}' has no header line.", new SourceLocation(path, 1, 1),
                "A data file starts with a header line naming its columns.");
        }
        return reader;
    }

    /// <summary>The header's column names, checked for duplicates (which would make every later lookup ambiguous).</summary>
    public static IReadOnlyList<string> ReadHeader(SepReader reader, string path)
    {
        var names = reader.Header.ColNames.Select(n => n.Trim()).ToArray();
        if (FindDuplicate(names, path) is { } duplicate)
            throw duplicate;
        return names;
    }

    private static MlOpsException? FindDuplicate(IReadOnlyList<string> names, string path)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            if (!seen.Add(names[i]))
            {
                return MlOpsException.Of(DiagnosticCodes.DuplicateColumn, $"Column '{names[i]}' appears twice in the header.", new SourceLocation(path, 1, i + 1),
                    "Rename one of the columns so every header name is unique.");
            }
        }
        return null;
    }

    /// <summary>The first line's values, read as a plain row (no header checks); empty when even that fails.</summary>
    private static IReadOnlyList<string> HeaderRow(string path)
    {
        try
        {
            using var reader = Sep.Reader(options => options with { HasHeader = false, Unescape = true, DisableColCountCheck = true }).FromFile(path);
            if (!reader.MoveNext())
                return [];
            var row = reader.Current;
            var values = new string[row.ColCount];
            for (var i = 0; i < values.Length; i++)
                values[i] = row[i].ToString().Trim();
            return values;
        }
        catch (Exception exception) when (exception is InvalidDataException or ArgumentException or NotSupportedException)
        {
            return [];
        }
    }
}
