using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Training.Features;
using MlOps.Ci.Training;
using MlOps.Ci.Training.External;
using MlOps.Ci.Training.Sweeps;

namespace MlOps.Ci.Pipeline;

/// <summary>
/// Checks a definition before any data is read, so a typo in a trainer, hyperparameter or gate fails in a second
/// rather than after training.
/// </summary>
public static class DefinitionChecks
{
    public static void Check(PipelineDefinition definition)
    {
        var where = new SourceLocation(definition.ProjectFile);
        if (string.IsNullOrWhiteSpace(definition.ModelName))
            throw MlOpsException.Of(DiagnosticCodes.RequiredPropertyMissing, "ModelName is not set.", where, "Add <ModelName>my-model</ModelName> to a PropertyGroup.");
        if (string.IsNullOrWhiteSpace(definition.LabelColumn))
            throw MlOpsException.Of(DiagnosticCodes.RequiredPropertyMissing, "LabelColumn is not set.", where, "Add <LabelColumn>the column to predict</LabelColumn> to a PropertyGroup.");
        if (!Enum.IsDefined(definition.ModelTask))
        {
            throw MlOpsException.Of(DiagnosticCodes.UnknownModelTask, $"ModelTask '{definition.ModelTask}' is not known.", where,
                $"Use one of: {string.Join(", ", Enum.GetNames<ModelTask>())}.");
        }
        SweepChecks.Check(definition);
        if (ExternalTrainer.Handles(definition))
        {
            // A command's hyperparameters are its own: they reach it as {Hyperparameters}, unchecked here.
            ExternalTrainer.Check(definition);
        }
        else
        {
            var trainer = TrainerCatalog.Find(definition);
            var probe = Activator.CreateInstance(trainer.OptionsType)!;
            foreach (var (name, value) in definition.Hyperparameters)
                HyperparameterBinder.Apply(probe, name, value, trainer.Name, where);
        }
        QualityGates.CheckDeclarations(definition);
        FeaturePlan.CheckDeclarations(definition);
    }
}
