using System.Globalization;
using System.Text;
using MlOps.Ci.Data;
using MlOps.Ci.IO;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Training.External;

/// <summary>One feature the ONNX model must take: its column, kind, and the tensor element type it arrives as ([N,1]).</summary>
public sealed record TrainerFeature(string Name, ColumnKind Kind, string ElementType);

/// <summary>
/// <c>{Schema}</c>: what the command trains and what its model must take, so a script need not guess column types
/// (booleans arrive as 0/1 floats, categories as strings) or which label value is positive.
/// </summary>
public sealed record TrainerSchema(ModelTask Task, string Label, IReadOnlyList<string>? Classes, string? PositiveClass, IReadOnlyList<TrainerFeature> Features);

/// <summary>
/// The files an external trainer reads and writes, in <c>obj/mlops/trainer/</c>: laid out fresh before each run,
/// removed after a successful one (the CSV is a copy of the data). After a failure the inputs stay, so the command
/// can be rerun by hand exactly as the build ran it; its model never does.
/// </summary>
public sealed record TrainerWorkspace(string Directory)
{
    public string TrainingDataPath => Path.Combine(Directory, "training.csv");
    public string SchemaPath => Path.Combine(Directory, "schema.json");
    public string HyperparametersPath => Path.Combine(Directory, "hyperparameters.json");

    /// <summary>Where the command writes its model; moved to model.onnx only once every check has passed.</summary>
    public string OnnxPath => Path.Combine(Directory, "model.onnx");

    public static TrainerWorkspace For(PipelineDefinition definition) => new(Path.Combine(definition.IntermediateDirectory, "trainer"));

    /// <summary>
    /// Writes the command's inputs. The training rows go out as one CSV in the form the model will receive them at
    /// evaluation and serving — the feature columns (ignored columns left out) and the label, booleans as 0/1, missing
    /// values empty — however many TrainingData files were declared.
    /// </summary>
    public void Prepare(PipelineDefinition definition, DataTable table, LabelClasses labels)
    {
        Clean();
        System.IO.Directory.CreateDirectory(Directory);
        WriteTrainingData(table);
        var features = table.Features.Select(f => new TrainerFeature(f.Name, f.Kind, ExternalModelContract.ElementTypeOf(f))).ToList();
        MlOpsJson.WriteFile(SchemaPath, new TrainerSchema(definition.ModelTask, definition.LabelColumn, labels.Classes.Count > 0 ? labels.Classes : null,
            labels.PositiveClass, features));
        MlOpsJson.WriteFile(HyperparametersPath, new SortedDictionary<string, string>(definition.Hyperparameters.ToDictionary(p => p.Key, p => p.Value), StringComparer.Ordinal));
    }

    public void Clean()
    {
        if (System.IO.Directory.Exists(Directory))
            System.IO.Directory.Delete(Directory, recursive: true);
    }

    private void WriteTrainingData(DataTable table)
    {
        var columns = table.Features.Append(table.Label).ToList();
        using var writer = new StreamWriter(TrainingDataPath, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        writer.NewLine = "\n";
        writer.WriteLine(string.Join(',', columns.Select(c => Quote(c.Name))));
        var cells = new string[columns.Count];
        for (var row = 0; row < table.RowCount; row++)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                cells[c] = columns[c] switch
                {
                    NumericColumn numeric => float.IsNaN(numeric.Values[row]) ? "" : numeric.Values[row].ToString(CultureInfo.InvariantCulture),
                    TextColumn text => Quote(text.Values[row]),
                    _ => throw new InvalidOperationException($"Unexpected column {columns[c].GetType().Name}."),
                };
            }
            writer.WriteLine(string.Join(',', cells));
        }
    }

    private static string Quote(string value) => Scoring.ScoringSession.Quote(value, ',');
}
