using System.Text.Json.Nodes;
using MlOps.Ci.Data;

namespace MlOps.Ci.Serving.Tests.Support;

/// <summary>A model's evaluation rows as a client would send them: numbers as JSON numbers (null when missing), the rest as the CSV spells them.</summary>
public static class EvaluationRows
{
    public static IReadOnlyList<JsonObject> Of(TrainedModel model)
    {
        var lines = File.ReadAllLines(model.EvaluationFile).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split(',');
        var features = model.Validation.Schema.Features.ToDictionary(c => c.Name, c => c.Kind);
        return lines.Skip(1).Select(line =>
        {
            var cells = line.Split(',');
            var row = new JsonObject();
            for (var i = 0; i < header.Length; i++)
            {
                if (!features.TryGetValue(header[i], out var kind))
                    continue;
                row[header[i]] = kind == ColumnKind.Numeric
                    ? CellValues.TryParseNumber(cells[i], out var number) ? JsonValue.Create(number) : null
                    : JsonValue.Create(cells[i]);
            }
            return row;
        }).ToList();
    }

    /// <summary>The same rows as Open Inference Protocol tensors, one per column, shape [N, 1].</summary>
    public static JsonObject AsInferRequest(TrainedModel model, IReadOnlyList<JsonObject> rows, string? id = null)
    {
        var inputs = new JsonArray();
        foreach (var column in model.Validation.Schema.Features)
        {
            var data = new JsonArray(rows.Select(r => r[column.Name]?.DeepClone()).ToArray());
            var datatype = column.Kind switch
            {
                ColumnKind.Numeric => "FP32",
                ColumnKind.Boolean => "BOOL",
                _ => "BYTES",
            };
            if (column.Kind == ColumnKind.Boolean)
                data = new JsonArray(rows.Select(r => (JsonNode?)JsonValue.Create(CellValues.TryParseBoolean(r[column.Name]!.GetValue<string>(), out var flag) && flag)).ToArray());
            inputs.Add(new JsonObject { ["name"] = column.Name, ["shape"] = new JsonArray(rows.Count, 1), ["datatype"] = datatype, ["data"] = data });
        }
        var request = new JsonObject { ["inputs"] = inputs };
        if (id is not null)
            request["id"] = id;
        return request;
    }
}
