using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MlOps.Ci.Drift;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Sdk.Tasks;

/// <summary>
/// Turns the project's properties and items into the pipeline definition (obj/mlops/pipeline.json) that every engine
/// step reads. The file is rewritten only when its content changes, so its timestamp tells the step targets'
/// Inputs/Outputs whether the definition changed. Runs in MSBuild's process: it needs nothing beyond System.Text.Json.
/// </summary>
public sealed class WritePipelineDefinition : Microsoft.Build.Utilities.Task
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The model's name (<c>ModelName</c>); names the package.</summary>
    [Required] public string ModelName { get; set; } = "";

    /// <summary>The model's version (<c>ModelVersion</c>).</summary>
    [Required] public string ModelVersion { get; set; } = "";

    /// <summary>BinaryClassification, MulticlassClassification or Regression (<c>ModelTask</c>).</summary>
    [Required] public string ModelTask { get; set; } = "";

    /// <summary>The column to predict (<c>LabelColumn</c>).</summary>
    public string LabelColumn { get; set; } = "";

    /// <summary>The ML.NET trainer (<c>Trainer</c>).</summary>
    [Required] public string Trainer { get; set; } = "";

    /// <summary>The random seed (<c>Seed</c>).</summary>
    [Required] public string Seed { get; set; } = "";

    /// <summary>For binary classification, the label value that is positive (<c>PositiveClass</c>).</summary>
    public string? PositiveClass { get; set; }

    /// <summary><c>@(TrainingData)</c>.</summary>
    public ITaskItem[] TrainingData { get; set; } = [];

    /// <summary><c>@(EvaluationData)</c>.</summary>
    public ITaskItem[] EvaluationData { get; set; } = [];

    /// <summary><c>@(Hyperparameter)</c>, each with a <c>Value</c>.</summary>
    public ITaskItem[] Hyperparameters { get; set; } = [];

    /// <summary>
    /// <c>@(QualityGate)</c>, each with <c>Minimum</c> and/or <c>Maximum</c> (absolute) and/or <c>MaxDecrease</c>/
    /// <c>MaxIncrease</c> (against the baseline, checked by <c>mlops report</c>).
    /// </summary>
    public ITaskItem[] QualityGates { get; set; } = [];

    /// <summary>
    /// <c>@(DriftThreshold)</c>: the column (or <c>*</c> for every feature) with any of <c>Psi</c>, <c>KsStatistic</c>,
    /// <c>ChiSquarePValue</c>, <c>MissingRateIncrease</c>, <c>OutOfRangeShare</c>; stored in the model card for <c>mlops drift</c>.
    /// </summary>
    public ITaskItem[] DriftThresholds { get; set; } = [];

    /// <summary><c>@(IgnoreColumn)</c>.</summary>
    public ITaskItem[] IgnoreColumns { get; set; } = [];

    /// <summary><c>@(CategoricalColumn)</c>.</summary>
    public ITaskItem[] CategoricalColumns { get; set; } = [];

    /// <summary>The declared schema file (<c>SchemaFile</c>), if any.</summary>
    public string? SchemaFile { get; set; }

    [Required] public string ProjectFile { get; set; } = "";
    [Required] public string IntermediateDirectory { get; set; } = "";
    [Required] public string PackagePath { get; set; } = "";

    /// <summary>Where the definition is written.</summary>
    [Required] public string DefinitionFile { get; set; } = "";

    public override bool Execute()
    {
        if (!Enum.TryParse<ModelTask>(ModelTask, ignoreCase: true, out var task) || !Enum.IsDefined(task))
        {
            Error("MLOPS5002", $"ModelTask '{ModelTask}' is not known. Use one of: {string.Join(", ", Enum.GetNames<ModelTask>())}.");
            return false;
        }
        if (!int.TryParse(Seed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed))
        {
            Error("MLOPS5003", $"Seed '{Seed}' is not a whole number.");
            return false;
        }

        var hyperparameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in Hyperparameters)
        {
            var value = item.GetMetadata("Value");
            if (value.Length == 0)
                Error("MLOPS2003", $"Hyperparameter '{item.ItemSpec}' has no Value. Write <Hyperparameter Include=\"{item.ItemSpec}\" Value=\"…\" />.");
            hyperparameters[item.ItemSpec] = value;
        }
        var gates = QualityGates.Select(item => new QualityGate(item.ItemSpec, Bound(item, "Minimum"), Bound(item, "Maximum"),
            Bound(item, "MaxDecrease"), Bound(item, "MaxIncrease"))).ToList();
        // MSBuild expands Include="*" as a file wildcard before the task sees it: the project folder's files arrive here.
        foreach (var expanded in DriftThresholds.Where(item => File.Exists(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(ProjectFile))!, item.ItemSpec))))
        {
            Error("MLOPS1113", $"DriftThreshold '{expanded.ItemSpec}' names a file of the project folder, not a column: MSBuild expands Include=\"*\" as a file wildcard. "
                + "Write Include=\"%2A\" (MSBuild's escape for *) for the thresholds of every feature.");
        }
        var driftThresholds = DriftThresholds.Select(item => new DriftThreshold(item.ItemSpec, DriftBound(item, "Psi"), DriftBound(item, "KsStatistic"),
            DriftBound(item, "ChiSquarePValue"), DriftBound(item, "MissingRateIncrease"), DriftBound(item, "OutOfRangeShare"))).ToList();
        if (Log.HasLoggedErrors)
            return false;

        var definition = new PipelineDefinition
        {
            ModelName = ModelName,
            ModelVersion = ModelVersion,
            ModelTask = task,
            LabelColumn = LabelColumn,
            Trainer = Trainer,
            Seed = seed,
            PositiveClass = string.IsNullOrEmpty(PositiveClass) ? null : PositiveClass,
            TrainingData = TrainingData.Select(FullPath).ToList(),
            EvaluationData = EvaluationData.Select(FullPath).ToList(),
            Hyperparameters = hyperparameters,
            QualityGates = gates,
            DriftThresholds = driftThresholds,
            SchemaFile = string.IsNullOrEmpty(SchemaFile) ? null : Path.GetFullPath(SchemaFile),
            IgnoreColumns = IgnoreColumns.Select(i => i.ItemSpec).ToList(),
            CategoricalColumns = CategoricalColumns.Select(i => i.ItemSpec).ToList(),
            ProjectFile = ProjectFile,
            IntermediateDirectory = Path.GetFullPath(IntermediateDirectory),
            PackagePath = Path.GetFullPath(PackagePath),
        };
        var json = JsonSerializer.Serialize(definition, JsonOptions) + "\n";
        if (File.Exists(DefinitionFile) && File.ReadAllText(DefinitionFile) == json)
            return true;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(DefinitionFile))!);
        var temporary = DefinitionFile + ".tmp";
        File.WriteAllText(temporary, json);
        File.Move(temporary, DefinitionFile, overwrite: true);
        return true;
    }

    private double? Bound(ITaskItem gate, string name)
    {
        var text = gate.GetMetadata(name);
        if (text.Length == 0)
            return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            return value;
        Error("MLOPS3003", $"QualityGate '{gate.ItemSpec}' has {name}=\"{text}\", which is not a number. Numbers use '.' for decimals.");
        return null;
    }

    private double? DriftBound(ITaskItem threshold, string name)
    {
        var text = threshold.GetMetadata(name);
        if (text.Length == 0)
            return null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= 0)
            return value;
        Error("MLOPS1112", $"DriftThreshold '{threshold.ItemSpec}' has {name}=\"{text}\", which is not a number ≥ 0. Numbers use '.' for decimals.");
        return null;
    }

    /// <summary>A local item's full path; a URL (https://, oci://) as written, for the engine to fetch.</summary>
    private static string FullPath(ITaskItem item) =>
        item.ItemSpec.Contains("://", StringComparison.Ordinal) ? item.ItemSpec
        : item.GetMetadata("FullPath") is { Length: > 0 } full ? full : Path.GetFullPath(item.ItemSpec);

    private void Error(string code, string message) =>
        Log.LogError(subcategory: null, errorCode: code, helpKeyword: null, file: ProjectFile, lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, message: message);
}
