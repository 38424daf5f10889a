using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Training.Features;
using MlOps.Ci.IO;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Training;

/// <summary>
/// Trains the declared model with ML.NET and exports it to ONNX. The featurization (the project's <c>Feature</c> items,
/// or the defaults: missing numbers replaced by the mean, categories one-hot encoded) is part of the exported graph, so
/// the ONNX model takes the raw columns and serving featurizes exactly as training did.
/// </summary>
public static class ModelTrainer
{
    private const string FeaturesColumn = "Features";

    /// <summary>Trains and exports; <c>table</c> is the training table when the caller already has it (a sweep read it for its folds), else it is read here.</summary>
    public static TrainingReport Train(PipelineDefinition definition, ValidationReport validation, Sweeps.SweepReport? sweep = null, DataTable? table = null)
    {
        var workspace = PipelineWorkspace.For(definition);
        // The caller (PipelineRunner.Train) has already checked the training data is what validation saw.
        table ??= validation.LoadTable(DataRole.Training);

        var clock = Stopwatch.StartNew();
        var (ml, model, descriptor, parameters) = Fit(definition, validation, table);
        var trainingSeconds = clock.Elapsed.TotalSeconds;
        var trainingView = ToDataView(table, definition.ModelTask, validation.Labels, includeLabel: true);

        clock.Restart();
        var outputs = OutputColumns(definition.ModelTask, model.GetOutputSchema(trainingView.Schema));
        var onnx = Export(ml, model, ToDataView(table, definition.ModelTask, validation.Labels, includeLabel: false), outputs, definition);
        var exportSeconds = clock.Elapsed.TotalSeconds;

        var report = new TrainingReport(descriptor.Name, definition.ModelTask, definition.Seed, parameters, table.RowCount,
            table.Features.Select(f => f.Name).ToList(), outputs, trainingSeconds, exportSeconds)
        {
            ModelFingerprint = validation.Inputs?.Model ?? "",
            Sweep = sweep,
            Features = FeaturePlan.For(definition, validation.Schema),
        };
        MlOpsJson.WriteFile(workspace.ProfilePath, DataProfiler.Profile(table));
        MlOpsJson.WriteFile(workspace.TrainingReportPath, report);
        // The model is written last: it is the step's MSBuild output, so it only appears once everything else has.
        AtomicFile.WriteAllBytes(workspace.ModelPath, onnx);
        return report;
    }

    /// <summary>Fits the featurization and trainer on the table: the in-memory ML.NET model the ONNX export is made from.</summary>
    internal static (MLContext Ml, ITransformer Model, TrainerDescriptor Descriptor, IReadOnlyDictionary<string, string> Parameters) Fit(
        PipelineDefinition definition, ValidationReport validation, DataTable table)
    {
        var descriptor = TrainerCatalog.Find(definition);
        var (options, parameters) = BuildOptions(definition, descriptor);
        var ml = new MLContext(definition.Seed);
        var pipeline = BuildPipeline(ml, FeaturePlan.For(definition, validation.Schema), descriptor, options, definition.ModelTask);
        try
        {
            return (ml, pipeline.Fit(ToDataView(table, definition.ModelTask, validation.Labels, includeLabel: true)), descriptor, parameters);
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or FormatException)
        {
            throw MlOpsException.Of(DiagnosticCodes.TrainingFailed, $"Trainer '{descriptor.Name}' failed: {exception.Message}", new SourceLocation(definition.ProjectFile),
                "Check the hyperparameters against the trainer's documentation; run with -v:d for the full error.");
        }
    }

    /// <summary>
    /// The trainer's Options with the project's hyperparameters applied. Unless the project says otherwise, training
    /// runs on one thread with the project's seed: parallel trainers sum in a varying order, and a model that changes
    /// when nothing else did defeats the point of treating it as a build output.
    /// </summary>
    private static (TrainerInputBaseWithLabel Options, IReadOnlyDictionary<string, string> Parameters) BuildOptions(PipelineDefinition definition, TrainerDescriptor descriptor)
    {
        var options = (TrainerInputBaseWithLabel)Activator.CreateInstance(descriptor.OptionsType)!;
        options.LabelColumnName = definition.LabelColumn;
        options.FeatureColumnName = FeaturesColumn;
        var where = new SourceLocation(definition.ProjectFile);
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in new Dictionary<string, string>
                 {
                     ["NumberOfThreads"] = "1",
                     ["Seed"] = definition.Seed.ToString(CultureInfo.InvariantCulture),
                 })
        {
            if (HyperparameterBinder.Has(descriptor.OptionsType, name) && !definition.Hyperparameters.Keys.Any(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                HyperparameterBinder.Apply(options, name, value, descriptor.Name, where);
                parameters[name] = value;
            }
        }
        foreach (var (name, value) in definition.Hyperparameters)
        {
            HyperparameterBinder.Apply(options, name, value, descriptor.Name, where);
            parameters[name] = value;
        }
        return (options, parameters);
    }

    /// <summary>The declared (or default) featurization of each raw column, then the trainer on their concatenation.</summary>
    private static IEstimator<ITransformer> BuildPipeline(MLContext ml, IReadOnlyList<FeatureDeclaration> plan, TrainerDescriptor descriptor, TrainerInputBaseWithLabel options, ModelTask task)
    {
        var (pipeline, features) = FeaturePipeline.Build(ml, plan);
        pipeline = pipeline.Append(ml.Transforms.Concatenate(FeaturesColumn, features.ToArray()));
        if (descriptor.NeedsNormalization)
            pipeline = pipeline.Append(ml.Transforms.NormalizeMinMax(FeaturesColumn));
        pipeline = pipeline.Append(descriptor.Create(ml, options));
        if (task == ModelTask.MulticlassClassification)
            pipeline = pipeline.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        return pipeline;
    }

    internal static IDataView ToDataView(DataTable table, ModelTask task, LabelClasses labels, bool includeLabel)
    {
        var columns = new List<ColumnarDataView.Column>();
        foreach (var feature in table.Features)
        {
            columns.Add(feature switch
            {
                NumericColumn numeric => new ColumnarDataView.SingleColumn(numeric.Name, numeric.Values),
                Data.TextColumn text => new ColumnarDataView.TextColumn(text.Name, text.Values),
                _ => throw new InvalidOperationException(),
            });
        }
        if (includeLabel)
        {
            columns.Add((task, table.Label) switch
            {
                (ModelTask.Regression, NumericColumn numeric) => new ColumnarDataView.SingleColumn(numeric.Name, numeric.Values),
                (ModelTask.BinaryClassification, Data.TextColumn text) => new ColumnarDataView.BooleanColumn(text.Name, text.Values.Select(labels.IsPositive).ToArray()),
                (ModelTask.MulticlassClassification, Data.TextColumn text) => new ColumnarDataView.KeyColumn(text.Name, KeysOf(text.Values, labels.Classes), labels.Classes),
                _ => throw new InvalidOperationException($"Label column of type {table.Label.GetType().Name} does not fit {task}."),
            });
        }
        return new ColumnarDataView(columns, table.RowCount);
    }

    private static uint[] KeysOf(string[] values, IReadOnlyList<string> classes)
    {
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (uint)(p.i + 1), StringComparer.Ordinal);
        return values.Select(v => index.GetValueOrDefault(v)).ToArray();
    }

    private static IReadOnlyList<string> OutputColumns(ModelTask task, DataViewSchema schema)
    {
        string[] wanted = task switch
        {
            ModelTask.BinaryClassification => ["PredictedLabel", "Score", "Probability"],
            ModelTask.MulticlassClassification => ["PredictedLabel", "Score"],
            _ => ["Score"],
        };
        return wanted.Where(name => schema.GetColumnOrNull(name) is not null).ToList();
    }

    private static byte[] Export(MLContext ml, ITransformer model, IDataView featuresOnly, IReadOnlyList<string> outputs, PipelineDefinition definition)
    {
        try
        {
            using var stream = new MemoryStream();
            ml.Model.ConvertToOnnx(model, featuresOnly, stream, outputs.ToArray());
            return stream.ToArray();
        }
        catch (Exception exception) when (exception is InvalidOperationException or NotSupportedException or ArgumentException)
        {
            throw MlOpsException.Of(DiagnosticCodes.OnnxExportFailed, $"The trained model cannot be exported to ONNX: {exception.Message}",
                new SourceLocation(definition.ProjectFile), "Choose a trainer from the README's trainer table; all of them export.");
        }
    }
}
