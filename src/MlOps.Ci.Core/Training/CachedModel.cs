using System.IO.Compression;
using MlOps.Ci.Data;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Training;

/// <summary>Puts a cached model package's model and profile where TrainModel would have written them.</summary>
public static class CachedModel
{
    public static TrainingReport Restore(string packagePath, PipelineWorkspace workspace, string source)
    {
        var package = ModelPackage.Read(packagePath);
        var card = package.Card;
        var report = new TrainingReport(
            card.Trainer.Name,
            card.Task,
            card.Trainer.Seed,
            card.Trainer.Parameters,
            package.Profile.Rows,
            card.Signature.Inputs.Select(i => i.Name).ToList(),
            card.Signature.Outputs.Select(o => Evaluation.OnnxScorer.ColumnNameOf(o.Name)).ToList(),
            card.Timings.TrainingSeconds,
            card.Timings.ExportSeconds)
        {
            ModelFingerprint = card.Fingerprints.Model,
            RestoredFrom = source,
            Sweep = card.Sweep,
            Command = card.Trainer.Command,
            Features = card.Featurization,
        };
        MlOpsJson.WriteFile(workspace.ProfilePath, package.Profile);
        MlOpsJson.WriteFile(workspace.TrainingReportPath, report);
        AtomicFile.WriteAllBytes(workspace.ModelPath, package.Onnx);
        return report;
    }
}
