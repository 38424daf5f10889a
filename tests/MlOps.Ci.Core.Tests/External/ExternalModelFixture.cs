using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Core.Tests.External;

/// <summary>
/// A real ONNX model for the synthetic binary data (Age, Usage, Plan, Active → Bought), trained once by ML.NET: the
/// external-trainer tests' commands copy it to {OnnxPath} with /bin/cp, so they exercise the real command, checks,
/// evaluation and packaging without needing Python.
/// </summary>
public sealed class ExternalModelFixture : IDisposable
{
    public ExternalModelFixture()
    {
        Folder = new TempFolder();
        var training = Folder.WriteLines("data/train.csv", SyntheticData.Binary(300, seed: 11));
        var definition = Definitions.In(Folder, "Bought", [training], trainer: "LbfgsLogisticRegression");
        var runner = new PipelineRunner(NullLogger.Instance);
        runner.Validate(definition);
        runner.Train(definition);
        OnnxPath = Folder.PathOf("binary.onnx");
        File.Copy(PipelineWorkspace.For(definition).ModelPath, OnnxPath);
    }

    public TempFolder Folder { get; }

    /// <summary>Takes Age, Usage, Active (float) and Plan (string); gives PredictedLabel, Score and Probability.</summary>
    public string OnnxPath { get; }

    public void Dispose() => Folder.Dispose();
}
