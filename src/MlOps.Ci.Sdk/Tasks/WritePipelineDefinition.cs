using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MlOps.Ci.Drift;
using MlOps.Ci.Training.Features;
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

    /// <summary>
    /// <c>@(Feature)</c>: a column with <c>Transform</c> (ReplaceMissing, Normalize, OneHot, Hash, Text or Drop; several
    /// separated by ';', applied in order) and the options <c>Replacement</c>, <c>Normalization</c>,
    /// <c>HashBits</c>, <c>MaxCategories</c>.
    /// </summary>
    public ITaskItem[] Features { get; set; } = [];

    /// <summary><c>@(IgnoreColumn)</c>.</summary>
    public ITaskItem[] IgnoreColumns { get; set; } = [];

    /// <summary><c>@(CategoricalColumn)</c>.</summary>
    public ITaskItem[] CategoricalColumns { get; set; } = [];

    /// <summary>With <c>Trainer=Command</c>: the command line that trains and writes ONNX to <c>{OnnxPath}</c> (<c>TrainerCommand</c>).</summary>
    public string? TrainerCommand { get; set; }

    /// <summary><c>@(TrainerInput)</c>: files the command reads (its script, its config), fingerprinted like data.</summary>
    public ITaskItem[] TrainerInputs { get; set; } = [];

    /// <summary>Seconds the command may run before it is killed (<c>TrainerTimeout</c>); empty for the default.</summary>
    public string? TrainerTimeout { get; set; }

    /// <summary>
    /// <c>@(Sweep)</c>: a hyperparameter searched instead of fixed, with <c>Values</c> (';'-separated: a grid axis) or
    /// <c>Minimum</c> and <c>Maximum</c> (a range for random search) and <c>Scale</c> (Linear or Log).
    /// </summary>
    public ITaskItem[] Sweeps { get; set; } = [];

    /// <summary>The random-search budget (<c>SweepTrials</c>); empty for the default.</summary>
    public string? SweepTrials { get; set; }

    /// <summary>k of the sweep's k-fold cross-validation on the training data (<c>SweepFolds</c>); empty for the default.</summary>
    public string? SweepFolds { get; set; }

    /// <summary>Instead of folds, the share of training rows held out once (<c>SweepValidationFraction</c>).</summary>
    public string? SweepValidationFraction { get; set; }

    /// <summary>The metric that picks the winning trial (<c>SweepMetric</c>); empty for the task's primary metric.</summary>
    public string? SweepMetric { get; set; }

    /// <summary>The declared schema file (<c>SchemaFile</c>), if any.</summary>
    public string? SchemaFile { get; set; }

    /// <summary>Which ONNX Runtime build the engine loads (<c>OrtFlavor</c>): Cpu or Gpu; empty for Cpu.</summary>
    public string? OrtFlavor { get; set; }

    /// <summary>Where EvaluateModel scores the model (<c>ExecutionProvider</c>): Cpu, Cuda, Auto or CudaRequired; empty for Auto under OrtFlavor=Gpu, else Cpu.</summary>
    public string? ExecutionProvider { get; set; }

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
        var features = Features.Select(ParseFeature).ToList();
        var trainerTimeout = PipelineDefinition.DefaultTrainerTimeoutSeconds;
        if (!string.IsNullOrWhiteSpace(TrainerTimeout)
            && (!int.TryParse(TrainerTimeout, NumberStyles.Integer, CultureInfo.InvariantCulture, out trainerTimeout) || trainerTimeout <= 0))
        {
            Error("MLOPS2305", $"TrainerTimeout '{TrainerTimeout}' is not a positive whole number of seconds (the default is {PipelineDefinition.DefaultTrainerTimeoutSeconds}).");
        }
        var sweeps = Sweeps.Select(ParseSweep).ToList();
        var sweepTrials = SweepNumber<int>(nameof(SweepTrials), SweepTrials, "a whole number ≥ 1");
        var sweepFolds = SweepNumber<int>(nameof(SweepFolds), SweepFolds, "a whole number from 2 to 20");
        var sweepValidationFraction = SweepNumber<double>(nameof(SweepValidationFraction), SweepValidationFraction, "a number above 0 and at most 0.5");
        var ortFlavor = OrtSetting(nameof(OrtFlavor), OrtFlavor, Runtime.OrtFlavor.Cpu);
        var executionProvider = OrtSetting(nameof(ExecutionProvider), ExecutionProvider, Runtime.OrtSettings.DefaultProvider(ortFlavor));
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
            Features = features,
            SchemaFile = string.IsNullOrEmpty(SchemaFile) ? null : Path.GetFullPath(SchemaFile),
            IgnoreColumns = IgnoreColumns.Select(i => i.ItemSpec).ToList(),
            CategoricalColumns = CategoricalColumns.Select(i => i.ItemSpec).ToList(),
            Sweeps = sweeps,
            SweepTrials = sweepTrials,
            SweepFolds = sweepFolds,
            SweepValidationFraction = sweepValidationFraction,
            SweepMetric = string.IsNullOrWhiteSpace(SweepMetric) ? null : SweepMetric.Trim(),
            TrainerCommand = string.IsNullOrWhiteSpace(TrainerCommand) ? null : TrainerCommand.Trim(),
            TrainerInputs = TrainerInputs.Select(FullPath).ToList(),
            TrainerTimeoutSeconds = trainerTimeout,
            OrtFlavor = ortFlavor,
            ExecutionProvider = executionProvider,
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

    /// <summary>An ONNX Runtime setting by name, in any case; an unknown one is MLOPS2403, naming the property.</summary>
    private T OrtSetting<T>(string property, string? text, T fallback) where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(text))
            return fallback;
        if (Runtime.OrtSettings.TryParse<T>(text, out var value))
            return value;
        Error("MLOPS2403", $"{property} '{text}' is not known. Use one of: {string.Join(", ", Enum.GetNames<T>())}.");
        return fallback;
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

    /// <summary>
    /// One <c>Feature</c> item. Names are checked here, in a second, rather than after data is read; whether the column
    /// exists and fits the transforms is checked by the engine against the validated schema.
    /// </summary>
    private FeatureDeclaration ParseFeature(ITaskItem item)
    {
        var transforms = new List<FeatureTransform>();
        var text = item.GetMetadata("Transform");
        if (text.Trim().Length == 0)
            Error("MLOPS2102", $"Feature '{item.ItemSpec}' has no Transform. Write e.g. <Feature Include=\"{item.ItemSpec}\" Transform=\"ReplaceMissing;Normalize\" /> with any of: {string.Join(", ", Enum.GetNames<FeatureTransform>())}.", item, "Feature");
        foreach (var name in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Enum.TryParse<FeatureTransform>(name, ignoreCase: true, out var transform) && Enum.IsDefined(transform))
                transforms.Add(transform);
            else
                Error("MLOPS2102", $"Feature '{item.ItemSpec}' has Transform '{name}', which is not known. Use any of: {string.Join(", ", Enum.GetNames<FeatureTransform>())} (several separated by ';').", item, "Feature");
        }
        return new FeatureDeclaration(item.ItemSpec, transforms)
        {
            Replacement = Option(item, "Replacement", MissingReplacement.Mean),
            Normalization = Option(item, "Normalization", NormalizationMode.MinMax),
            HashBits = Count(item, "HashBits", FeatureDeclaration.DefaultHashBits, 1, FeatureDeclaration.MaxHashBits) ?? FeatureDeclaration.DefaultHashBits,
            MaxCategories = Count(item, "MaxCategories", null, 1, int.MaxValue),
        };
    }

    private T Option<T>(ITaskItem item, string name, T fallback) where T : struct, Enum
    {
        var text = item.GetMetadata(name);
        if (text.Length == 0)
            return fallback;
        if (Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value))
            return value;
        Error("MLOPS2103", $"Feature '{item.ItemSpec}' has {name}=\"{text}\", which is not known. Use one of: {string.Join(", ", Enum.GetNames<T>())}.", item, "Feature");
        return fallback;
    }

    private int? Count(ITaskItem item, string name, int? fallback, int minimum, int maximum)
    {
        var text = item.GetMetadata(name);
        if (text.Length == 0)
            return fallback;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum)
            return value;
        Error("MLOPS2103", $"Feature '{item.ItemSpec}' has {name}=\"{text}\"; it must be a whole number from {minimum} to {maximum}.", item, "Feature");
        return fallback;
    }

    /// <summary>
    /// One <c>Sweep</c> item. Only what MSBuild alone can tell is checked here (numbers that are not numbers, an unknown
    /// Scale); the engine checks the rest against the trainer's options before any data is read.
    /// </summary>
    private Training.Sweeps.SweepParameter ParseSweep(ITaskItem item)
    {
        double? Bound(string name)
        {
            var text = item.GetMetadata(name).Trim();
            if (text.Length == 0)
                return null;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
                return value;
            Error("MLOPS2204", $"Sweep '{item.ItemSpec}' has {name}=\"{text}\", which is not a number. Numbers use '.' for decimals.", item, "Sweep");
            return null;
        }

        var scale = Training.Sweeps.SweepScale.Linear;
        if (item.GetMetadata("Scale").Trim() is { Length: > 0 } scaleText
            && (!Enum.TryParse(scaleText, ignoreCase: true, out scale) || !Enum.IsDefined(scale)))
        {
            Error("MLOPS2204", $"Sweep '{item.ItemSpec}' has Scale=\"{scaleText}\"; use Linear or Log.", item, "Sweep");
        }
        return new Training.Sweeps.SweepParameter(item.ItemSpec)
        {
            Values = item.GetMetadata("Values").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Minimum = Bound("Minimum"),
            Maximum = Bound("Maximum"),
            Scale = scale,
        };
    }

    /// <summary>A Sweep* property as a number; its range is checked by the engine (SweepChecks), which also serves the CLI.</summary>
    private T? SweepNumber<T>(string property, string? text, string expected) where T : struct, INumber<T>
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var style = typeof(T) == typeof(int) ? NumberStyles.Integer : NumberStyles.Float;
        if (T.TryParse(text.Trim(), style, CultureInfo.InvariantCulture, out var value))
            return value;
        Error("MLOPS2207", $"{property} '{text}' is not {expected}. Numbers use '.' for decimals.");
        return null;
    }

    /// <summary>A local item's full path; a URL (https://, oci://) as written, for the engine to fetch.</summary>
    private static string FullPath(ITaskItem item) =>
        item.ItemSpec.Contains("://", StringComparison.Ordinal) ? item.ItemSpec
        : item.GetMetadata("FullPath") is { Length: > 0 } full ? full : Path.GetFullPath(item.ItemSpec);

    /// <summary>An error about one item, at the item's line and column in the file that declares it when it can be found.</summary>
    private void Error(string code, string message, ITaskItem item, string itemType)
    {
        var file = item.GetMetadata("DefiningProjectFullPath") is { Length: > 0 } defining ? defining : ProjectFile;
        var (line, column) = ProjectItemLocator.Find(file, itemType, item.ItemSpec) ?? (0, 0);
        Log.LogError(subcategory: null, errorCode: code, helpKeyword: null, file: file, lineNumber: line, columnNumber: column, endLineNumber: 0, endColumnNumber: 0, message: message);
    }

    private void Error(string code, string message) =>
        Log.LogError(subcategory: null, errorCode: code, helpKeyword: null, file: ProjectFile, lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0, message: message);
}
