using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.IO;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Training;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Packaging;

/// <summary>Assembles the model package from the outputs of the earlier steps.</summary>
public static class ModelPackager
{
    public static ModelPackage Package(PipelineDefinition definition, ValidationReport validation)
    {
        var workspace = PipelineWorkspace.For(definition);
        var training = Require<TrainingReport>(workspace.TrainingReportPath, definition, "TrainModel");
        var evaluation = Require<EvaluationReport>(workspace.EvaluationReportPath, definition, "EvaluateModel");
        var profile = Require<DataProfile>(workspace.ProfilePath, definition, "TrainModel");
        var onnx = File.Exists(workspace.ModelPath) ? File.ReadAllBytes(workspace.ModelPath)
            : throw Missing(workspace.ModelPath, definition, "TrainModel");

        var projectDirectory = DataSource.ProjectDirectory(definition);
        var data = validation.Files.Select(f => new DataFingerprint(f.Location, f.Role, f.Rows, f.Fingerprint)).ToList();
        var environment = EnvironmentInfo.Current;
        var inputs = validation.Inputs ?? InputFingerprints.Compute(definition,
            validation.Files.Select(f => new DataSource(f.Location, f.Role, f.Path, DataSource.IsRemoteLocation(f.Location))).ToList(), FileHashCache.InMemory(), environment);
        var card = new ModelCard(
            ModelCard.CurrentSchemaVersion,
            definition.ModelName,
            definition.ModelVersion,
            definition.ModelTask,
            DateTimeOffset.UtcNow,
            new ModelFingerprints(inputs.Model, inputs.Definition, data),
            SourceControl.Describe(projectDirectory),
            new TrainerInfo(training.Trainer, training.Parameters, training.Seed) { Command = training.Command },
            evaluation.Metrics,
            evaluation.Gates,
            Signature(workspace.ModelPath, validation),
            environment,
            new StepTimings(training.TrainingSeconds, training.ExportSeconds, evaluation.ScoringSeconds))
        {
            DriftThresholds = definition.DriftThresholds.Count > 0 ? definition.DriftThresholds : null,
            FeatureImportance = evaluation.FeatureImportance,
            EvaluationRuntime = evaluation.Runtime,
            Sweep = training.Sweep,
            Featurization = training.Features,
        };
        // The evaluation's prediction profile travels in data-profile.json beside the features', so a drift check has
        // the distribution of the model's outputs to compare the logged ones with. Not part of any fingerprint.
        if (evaluation.Predictions is { } predictions)
            profile = profile with { Predictions = predictions };
        var package = new ModelPackage(card, onnx, profile);
        try
        {
            package.Write(definition.PackagePath);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw MlOpsException.Of(DiagnosticCodes.PackageWriteFailed, $"Cannot write the model package '{definition.PackagePath}': {exception.Message}",
                new SourceLocation(definition.PackagePath), "Check that the folder is writable and the disk has space; the previous package is untouched.");
        }
        return package;
    }

    private static ModelSignature Signature(string modelPath, ValidationReport validation)
    {
        using var scorer = OnnxScorer.Load(modelPath);
        var inputs = scorer.InputMetadata.Select(i => new TensorSpec(i.Key, i.Value.ElementDataType.ToString().ToLowerInvariant(),
            i.Value.Dimensions.Select(d => (long)d).ToList(), validation.Schema.Find(i.Key)?.Kind)).ToList();
        // ML.NET's exporter adds outputs such as "mlnet.Score.unusedOutput" that carry nothing a consumer should read.
        var outputs = scorer.OutputMetadata.Where(o => !o.Key.EndsWith("unusedOutput", StringComparison.Ordinal)).Select(o => new TensorSpec(o.Key, o.Value.ElementDataType.ToString().ToLowerInvariant(),
            o.Value.Dimensions.Select(d => (long)d).ToList())).ToList();
        var classes = validation.Labels.Classes.Count > 0 ? validation.Labels.Classes : null;
        return new ModelSignature(inputs, outputs, validation.Schema.LabelColumn, classes, validation.Labels.PositiveClass);
    }

    private static T Require<T>(string path, PipelineDefinition definition, string target) =>
        File.Exists(path) ? MlOpsJson.ReadFile<T>(path, DiagnosticCodes.StepInputMissing, $"Run the {target} target again.") : throw Missing(path, definition, target);

    private static MlOpsException Missing(string path, PipelineDefinition definition, string target) =>
        MlOpsException.Of(DiagnosticCodes.StepInputMissing, $"'{Path.GetFileName(path)}' is missing from the intermediate folder.", new SourceLocation(definition.ProjectFile),
            $"Run the {target} target first (a plain 'dotnet build' runs every step).");
}
