using Microsoft.Extensions.Logging;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;
using MlOps.Ci.Training;

namespace MlOps.Ci.Pipeline;

public enum PipelineStep
{
    Validate,
    Train,
    Evaluate,
    Package,
}

/// <summary>
/// The build side's one service: each step reads the definition and the previous steps' outputs from the intermediate
/// folder and writes its own atomically. MSBuild targets, the CLI and tests all call this.
/// </summary>
public sealed class PipelineRunner(ILogger logger)
{
    public static PipelineDefinition LoadDefinition(string path) =>
        MlOpsJson.ReadFile<PipelineDefinition>(path, DiagnosticCodes.DefinitionInvalid,
            "The definition is written by the MlOps.Ci SDK from the project file; build the project again rather than editing it.");

    public void Run(PipelineDefinition definition, IEnumerable<PipelineStep> steps)
    {
        foreach (var step in steps)
        {
            switch (step)
            {
                case PipelineStep.Validate:
                    Validate(definition);
                    break;
                case PipelineStep.Train:
                    Train(definition);
                    break;
                case PipelineStep.Evaluate:
                    Evaluate(definition);
                    break;
                case PipelineStep.Package:
                    Package(definition);
                    break;
            }
        }
    }

    public ValidationReport Validate(PipelineDefinition definition)
    {
        DefinitionChecks.Check(definition);
        var workspace = PipelineWorkspace.For(definition);
        // A failed validation must not leave an earlier report that would let later steps run on bad data.
        AtomicFile.TryDelete(workspace.ValidationReportPath);
        var report = DataValidator.Validate(definition);
        foreach (var warning in report.Warnings)
            logger.LogWarning("{Diagnostic}", warning);
        MlOpsJson.WriteFile(workspace.ValidationReportPath, report);
        logger.LogInformation("Validated {Files} data file(s), {Rows} rows, {Columns} columns ({Features} features).", report.Files.Count,
            report.Files.Sum(f => f.Rows), report.Schema.Columns.Count, report.Schema.Features.Count());
        return report;
    }

    public TrainingReport Train(PipelineDefinition definition)
    {
        DefinitionChecks.Check(definition);
        var report = ModelTrainer.Train(definition, ReadValidation(definition));
        logger.LogInformation("Trained {Trainer} on {Rows} rows in {Seconds:0.00} s; exported ONNX in {Export:0.00} s.", report.Trainer, report.TrainingRows,
            report.TrainingSeconds, report.ExportSeconds);
        return report;
    }

    public EvaluationReport Evaluate(PipelineDefinition definition)
    {
        DefinitionChecks.Check(definition);
        var report = ModelEvaluator.Evaluate(definition, ReadValidation(definition));
        logger.LogInformation("Evaluated the ONNX model on {Rows} rows: {Metrics}.", report.EvaluationRows,
            string.Join(", ", report.Metrics.Select(m => $"{m.Key} {QualityGates.Format(m.Value)}")));
        foreach (var gate in report.Gates)
            logger.LogInformation("Quality gate passed: {Gate}.", gate.Message);
        return report;
    }

    public ModelPackage Package(PipelineDefinition definition)
    {
        var package = ModelPackager.Package(definition, ReadValidation(definition));
        logger.LogInformation("Packaged {Name} {Version} → {Path} (model {Fingerprint}).", package.Card.Name, package.Card.Version, definition.PackagePath,
            package.Card.Fingerprints.Model);
        return package;
    }

    private static ValidationReport ReadValidation(PipelineDefinition definition)
    {
        var path = PipelineWorkspace.For(definition).ValidationReportPath;
        if (!File.Exists(path))
        {
            throw MlOpsException.Of(DiagnosticCodes.StepInputMissing, "The data has not been validated yet.", new SourceLocation(definition.ProjectFile),
                "Run the ValidateData target first (a plain 'dotnet build' runs every step).");
        }
        return MlOpsJson.ReadFile<ValidationReport>(path, DiagnosticCodes.StepInputMissing, "Run the ValidateData target again.");
    }
}
