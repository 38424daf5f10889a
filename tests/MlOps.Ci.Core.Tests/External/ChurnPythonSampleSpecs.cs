using System.Diagnostics;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Scoring;

namespace MlOps.Ci.Core.Tests.External;

/// <summary>
/// samples/churn-python's train.py (scikit-learn, an ONNX graph built by hand) through every step: the sample users
/// copy must train, pass the churn gates and score like any MlOps.Ci model. Needs Debian's python3-sklearn,
/// python3-onnx and python3-numpy: skipped with the reason where they are missing, except under CI=true.
/// </summary>
public sealed class ChurnPythonSampleSpecs : IDisposable
{
    private readonly TempFolder _folder = new();

    public static string? SkipReason { get; } = FindSkipReason();

    [SkippableFact]
    public void The_python_sample_trains_a_model_that_passes_the_churn_gates_and_scores_like_an_ml_net_one()
    {
        Skip.If(SkipReason is not null, SkipReason);
        var script = Path.Combine(RepositoryRoot.Path, "samples", "churn-python", "train.py");
        File.Copy(script, _folder.PathOf("train.py"));
        var definition = Definitions.In(_folder, ChurnSample.Label, [ChurnSample.Copy(_folder, "train.csv", 2000)], [ChurnSample.Copy(_folder, "test.csv", 1000)],
            trainer: "Command") with
        {
            ModelName = "churn-python",
            IgnoreColumns = [ChurnSample.Identifier],
            TrainerCommand = "/usr/bin/python3 train.py --data {TrainingData} --schema {Schema} --hyperparameters {Hyperparameters} --seed {Seed} --out {OnnxPath}",
            TrainerInputs = [_folder.PathOf("train.py")],
            Hyperparameters = new Dictionary<string, string> { ["C"] = "1.0" },
            QualityGates = [new QualityGate("AUC", Minimum: 0.80), new QualityGate("LogLoss", Maximum: 0.6)],
        };
        var logger = new CapturingLogger();

        new PipelineRunner(logger).Run(definition, [PipelineStep.Validate, PipelineStep.Train, PipelineStep.Evaluate, PipelineStep.Package]);

        var card = ModelPackage.Read(definition.PackagePath).Card;
        card.Trainer.Name.ShouldBe("Command");
        card.Gates.ShouldAllBe(g => g.Passed);
        card.Metrics["AUC"].ShouldBeGreaterThan(0.80);
        card.Signature.Inputs.Single(i => i.Name == "Contract").ElementType.ShouldBe("string");
        card.Signature.Inputs.Single(i => i.Name == "SeniorCitizen").ElementType.ShouldBe("float");
        logger.Entries.ShouldContain(e => e.Message.StartsWith("trainer: Fitted a logistic regression", StringComparison.Ordinal));
        // Batch scoring reads the package as serving does: raw CSV rows in, a probability per row out.
        var scored = _folder.PathOf("scored.csv");
        BatchScorer.Score(new BatchScoringOptions(definition.PackagePath, ChurnSample.Copy(_folder, "test.csv", 50, "score-input.csv"), scored));
        File.ReadAllLines(scored).Length.ShouldBe(51);
    }

    private static string? FindSkipReason()
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
            return null;
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "import sklearn, onnx, numpy"]) { RedirectStandardError = true })!;
            probe.StandardError.ReadToEnd();
            probe.WaitForExit();
            return probe.ExitCode == 0 ? null : "Debian's python3-sklearn, python3-onnx and python3-numpy are not installed (build/build.sh installs them; CI runs this test).";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "/usr/bin/python3 is not installed (build/build.sh installs python3-sklearn, python3-onnx and python3-numpy; CI runs this test).";
        }
    }

    public void Dispose() => _folder.Dispose();
}
