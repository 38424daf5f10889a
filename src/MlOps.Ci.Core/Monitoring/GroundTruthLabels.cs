using System.Globalization;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Monitoring;

/// <summary>A request's row, as the host's log names it.</summary>
public readonly record struct LoggedRowKey(string RequestId, int Row)
{
    public override string ToString() => Row == 0 ? RequestId : string.Create(CultureInfo.InvariantCulture, $"{RequestId} row {Row}");
}

/// <summary>One ground-truth label, with the line it came from (for messages).</summary>
public sealed record GroundTruth(string Label, int Line);

/// <summary>Reads the labels CSV of <c>mlops feedback</c> into a map from logged row to label, checking its columns and keys.</summary>
public static class GroundTruthLabels
{
    public static IReadOnlyDictionary<LoggedRowKey, GroundTruth> Read(FeedbackOptions options, string labelColumn)
    {
        var path = options.LabelsPath;
        if (!File.Exists(path))
        {
            throw MlOpsException.Of(DiagnosticCodes.FeedbackLabelsUnreadable, $"The labels file '{path}' does not exist.", new SourceLocation(path),
                $"Give --labels a CSV with a '{options.RequestIdColumn}' column (the X-Request-Id the host answered) and a '{labelColumn}' column.");
        }
        if (new FileInfo(path).Length == 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.FeedbackLabelsUnreadable, $"The labels file '{Path.GetFileName(path)}' is empty.", new SourceLocation(path, 1, 1),
                $"Its first line names the columns ('{options.RequestIdColumn},{labelColumn}'), then one line per labelled request.");
        }
        using var reader = CsvFile.Open(path);
        var header = CsvFile.ReadHeader(reader, path);
        var idIndex = IndexOf(header, options.RequestIdColumn);
        var labelIndex = IndexOf(header, labelColumn);
        var rowIndex = IndexOf(header, options.RowColumn);
        if (idIndex < 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.FeedbackRequestIdColumnMissing,
                $"The labels file has no '{options.RequestIdColumn}' column (it has: {string.Join(", ", header)}).", new SourceLocation(path, 1, 1),
                "Name the column of request ids 'requestId' (the id the host logged and answered in X-Request-Id), or pass --request-id-column.");
        }
        if (labelIndex < 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.FeedbackLabelColumnMissing,
                $"The labels file has no '{labelColumn}' column (it has: {string.Join(", ", header)}).", new SourceLocation(path, 1, 1),
                "Add the ground truth under the model's label column name, or pass --label-column with the name the file uses.");
        }

        var labels = new Dictionary<LoggedRowKey, GroundTruth>();
        foreach (var row in reader)
        {
            var line = row.LineNumberFrom;
            var id = idIndex < row.ColCount ? row[idIndex].ToString().Trim() : "";
            var label = labelIndex < row.ColCount ? row[labelIndex].ToString().Trim() : "";
            // A row whose truth is not known yet is normal in a feedback file: it waits for a later run.
            if (label.Length == 0)
                continue;
            if (id.Length == 0)
            {
                throw MlOpsException.Of(DiagnosticCodes.FeedbackLabelInvalid, $"Line {line} of the labels file has no request id.", new SourceLocation(path, line, idIndex + 1),
                    "Every label needs the id of the request it is the truth for.");
            }
            var rowNumber = 0;
            if (rowIndex >= 0 && rowIndex < row.ColCount && row[rowIndex].ToString().Trim() is { Length: > 0 } text
                && !(int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out rowNumber)))
            {
                throw MlOpsException.Of(DiagnosticCodes.FeedbackLabelInvalid, $"Row '{text}' of request '{id}' is not a row number.", new SourceLocation(path, line, rowIndex + 1),
                    "The row is the 0-based position of the row within its request, as the request log's \"row\" says.");
            }
            var key = new LoggedRowKey(id, rowNumber);
            if (labels.TryGetValue(key, out var earlier))
            {
                throw MlOpsException.Of(DiagnosticCodes.FeedbackDuplicateLabel, $"Request '{key}' is labelled twice (lines {earlier.Line} and {line}).",
                    new SourceLocation(path, line, idIndex + 1), "Keep one label per request and row; a corrected label replaces the old line.");
            }
            labels[key] = new GroundTruth(label, line);
        }
        if (labels.Count == 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.FeedbackLabelsUnreadable, $"The labels file '{Path.GetFileName(path)}' has a header but no labels.", new SourceLocation(path, 1, 1),
                "Add one line per labelled request.");
        }
        return labels;
    }

    private static int IndexOf(IReadOnlyList<string> header, string name)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (string.Equals(header[i], name, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }
}
