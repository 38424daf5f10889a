using MlOps.Ci.Data;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Core.Tests.Support;

/// <summary>
/// Small but complete model packages written with <see cref="ModelPackage.Write"/>, for tests that store and fetch
/// packages without needing a trained model: the "model" is seeded random bytes (incompressible, so the package is about
/// <c>modelBytes</c> long and a truncated or altered transfer is always noticed).
/// </summary>
public static class ModelPackages
{
    public const string Name = "churn";

    /// <summary>Writes a package to <paramref name="relative"/> in the folder; returns its path and the annotations a registry stores with it.</summary>
    public static (string Path, ModelAnnotations Annotations) Write(TempFolder folder, string relative = "bin/churn.mlpkg", int seed = 1, int modelBytes = 256 * 1024)
    {
        var onnx = new byte[modelBytes];
        new Random(seed).NextBytes(onnx);
        var fingerprint = ContentHash.OfBytes(onnx);
        var metrics = new Dictionary<string, double> { ["AUC"] = 0.91, ["LogLoss"] = 0.42 };
        var card = new ModelCard(
            ModelCard.CurrentSchemaVersion,
            Name,
            "2.1.0",
            ModelTask.BinaryClassification,
            new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero),
            new ModelFingerprints(fingerprint, ContentHash.OfText("definition"), [new DataFingerprint("data/train.csv", DataRole.Training, 100, ContentHash.OfText("train"))]),
            new SourceInfo("0123456789abcdef0123456789abcdef01234567", Dirty: false, Branch: "main"),
            new TrainerInfo("FastTree", new Dictionary<string, string> { ["NumberOfTrees"] = "10" }, 42),
            metrics,
            [],
            new ModelSignature([new TensorSpec("Age", "float", [-1, 1], ColumnKind.Numeric)], [new TensorSpec("Probability.output", "float", [-1, 1])], "Churned", null, null),
            EnvironmentInfo.Current,
            new StepTimings(0.5, 0.1, 0.05));
        var path = folder.PathOf(relative);
        new ModelPackage(card, onnx, new DataProfile(100, [new ColumnProfile("Age", ColumnKind.Numeric, 100, 0)])).Write(path);
        return (path, new ModelAnnotations(Name, card.Version, fingerprint, card.Source.Commit, metrics, card.Task.ToString()));
    }
}
