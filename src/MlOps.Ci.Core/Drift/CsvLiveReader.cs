using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Drift;

/// <summary>
/// Streams a CSV of live inputs (a header naming the feature columns, one row per request) into the live columns,
/// reading each cell exactly as training read it (<see cref="CellValues"/>). Columns beyond the features are ignored;
/// a feature the header lacks is an error, since nothing could be said about it.
/// </summary>
internal static class CsvLiveReader
{
    public static LiveDataRead Read(string path, LiveColumns columns)
    {
        using var reader = CsvFile.Open(path);
        var header = CsvFile.ReadHeader(reader, path);
        var indexes = columns.Names.Select(name => header.ToList().IndexOf(name)).ToArray();
        var absent = columns.Names.Where((_, slot) => indexes[slot] < 0).ToList();
        if (absent.Count > 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.DriftColumnsMissing,
                $"The live data lacks the model's feature column{(absent.Count > 1 ? "s" : "")} {string.Join(", ", absent.Select(a => $"'{a}'"))} (its header has {string.Join(", ", header)}).",
                new SourceLocation(path, 1, 1), "Export every input column of the model (names are case-sensitive), or check the drift against the package the data was scored with.");
        }

        var read = new LiveDataRead(columns.Names.Length);
        Array.Fill(read.ColumnSeen, true);
        var numeric = columns.Numeric;
        var categorical = columns.Categorical;
        long line = 1;
        foreach (var row in reader)
        {
            line++;
            var count = row.ColCount;
            for (var i = 0; i < numeric.Count; i++)
            {
                var column = numeric[i];
                var index = indexes[i];
                var text = index < count ? row[index].Span : [];
                float value;
                if (column.Reference.Kind == ColumnKind.Boolean)
                    value = CellValues.TryParseBoolean(text, out var flag) ? (flag ? 1 : 0) : float.NaN;
                else
                    value = CellValues.TryParseNumber(text, out var number) ? number : float.NaN;
                column.Add(value);
            }
            for (var i = 0; i < categorical.Count; i++)
            {
                var column = categorical[i];
                var index = indexes[numeric.Count + i];
                var text = index < count ? row[index].Span : [];
                if (CellValues.IsMissing(text))
                {
                    column.Add(-1);
                    continue;
                }
                text = text.Trim();
                var category = column.IndexOf(text);
                column.Add(category);
                if (category == column.OtherIndex)
                    column.NoteUnseen(text);
            }
            read.RowsRead++;
        }
        read.FirstRowLine = 2;
        return read;
    }
}
