using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Training;

/// <summary>
/// A trainer a project can name: its ML.NET Options type (whose public fields are the hyperparameters a project may
/// set) and how to build the estimator. <see cref="Deterministic"/> says whether two runs on the same inputs produce a
/// byte-identical model (the README's trainer table is generated from this).
/// </summary>
public sealed record TrainerDescriptor(
    string Name,
    ModelTask Task,
    Type OptionsType,
    bool NeedsNormalization,
    bool Deterministic,
    Func<MLContext, TrainerInputBaseWithLabel, IEstimator<ITransformer>> Create);

public static class TrainerCatalog
{
    public static IReadOnlyList<TrainerDescriptor> All { get; } =
    [
        new("FastTree", ModelTask.BinaryClassification, typeof(FastTreeBinaryTrainer.Options), false, true,
            (ml, o) => ml.BinaryClassification.Trainers.FastTree((FastTreeBinaryTrainer.Options)o)),
        new("FastForest", ModelTask.BinaryClassification, typeof(FastForestBinaryTrainer.Options), false, true,
            (ml, o) => ml.BinaryClassification.Trainers.FastForest((FastForestBinaryTrainer.Options)o)),
        new("LightGbm", ModelTask.BinaryClassification, typeof(LightGbmBinaryTrainer.Options), false, true,
            (ml, o) => ml.BinaryClassification.Trainers.LightGbm((LightGbmBinaryTrainer.Options)o)),
        new("SdcaLogisticRegression", ModelTask.BinaryClassification, typeof(SdcaLogisticRegressionBinaryTrainer.Options), true, true,
            (ml, o) => ml.BinaryClassification.Trainers.SdcaLogisticRegression((SdcaLogisticRegressionBinaryTrainer.Options)o)),
        new("LbfgsLogisticRegression", ModelTask.BinaryClassification, typeof(LbfgsLogisticRegressionBinaryTrainer.Options), true, true,
            (ml, o) => ml.BinaryClassification.Trainers.LbfgsLogisticRegression((LbfgsLogisticRegressionBinaryTrainer.Options)o)),

        new("FastTree", ModelTask.MulticlassClassification, typeof(FastTreeBinaryTrainer.Options), false, true,
            (ml, o) => ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree((FastTreeBinaryTrainer.Options)o),
                labelColumnName: o.LabelColumnName)),
        new("LightGbm", ModelTask.MulticlassClassification, typeof(LightGbmMulticlassTrainer.Options), false, true,
            (ml, o) => ml.MulticlassClassification.Trainers.LightGbm((LightGbmMulticlassTrainer.Options)o)),
        new("SdcaMaximumEntropy", ModelTask.MulticlassClassification, typeof(SdcaMaximumEntropyMulticlassTrainer.Options), true, true,
            (ml, o) => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy((SdcaMaximumEntropyMulticlassTrainer.Options)o)),
        new("LbfgsMaximumEntropy", ModelTask.MulticlassClassification, typeof(LbfgsMaximumEntropyMulticlassTrainer.Options), true, true,
            (ml, o) => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy((LbfgsMaximumEntropyMulticlassTrainer.Options)o)),

        new("FastTree", ModelTask.Regression, typeof(FastTreeRegressionTrainer.Options), false, true,
            (ml, o) => ml.Regression.Trainers.FastTree((FastTreeRegressionTrainer.Options)o)),
        new("FastForest", ModelTask.Regression, typeof(FastForestRegressionTrainer.Options), false, true,
            (ml, o) => ml.Regression.Trainers.FastForest((FastForestRegressionTrainer.Options)o)),
        new("LightGbm", ModelTask.Regression, typeof(LightGbmRegressionTrainer.Options), false, true,
            (ml, o) => ml.Regression.Trainers.LightGbm((LightGbmRegressionTrainer.Options)o)),
        new("Sdca", ModelTask.Regression, typeof(SdcaRegressionTrainer.Options), true, true,
            (ml, o) => ml.Regression.Trainers.Sdca((SdcaRegressionTrainer.Options)o)),
        new("LbfgsPoissonRegression", ModelTask.Regression, typeof(LbfgsPoissonRegressionTrainer.Options), true, true,
            (ml, o) => ml.Regression.Trainers.LbfgsPoissonRegression((LbfgsPoissonRegressionTrainer.Options)o)),
        new("OnlineGradientDescent", ModelTask.Regression, typeof(OnlineGradientDescentTrainer.Options), true, true,
            (ml, o) => ml.Regression.Trainers.OnlineGradientDescent((OnlineGradientDescentTrainer.Options)o)),
    ];

    public static TrainerDescriptor Find(PipelineDefinition definition)
    {
        var match = All.FirstOrDefault(t => t.Task == definition.ModelTask && string.Equals(t.Name, definition.Trainer, StringComparison.OrdinalIgnoreCase));
        if (match is not null)
            return match;
        var names = All.Where(t => t.Task == definition.ModelTask).Select(t => t.Name);
        throw MlOpsException.Of(DiagnosticCodes.UnknownTrainer, $"Trainer '{definition.Trainer}' is not available for {definition.ModelTask}.",
            new SourceLocation(definition.ProjectFile), $"Use one of: {string.Join(", ", names)}.");
    }
}
