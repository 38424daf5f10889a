using Microsoft.ML;
using Microsoft.ML.Data;
using MlOps.Ci.Data;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Training.Sweeps;

/// <summary>
/// Fits one trial on one fold's training rows and scores its held-out rows with the in-memory ML.NET model: an ONNX
/// export per fit would cost more than the fit itself, and only the winner is exported (and then evaluated through
/// ONNX Runtime as always). Metrics come from the same code evaluation uses.
/// </summary>
internal static class TrialScorer
{
    private static readonly string[] Outputs = ["PredictedLabel", "Score", "Probability"];

    public static IReadOnlyDictionary<string, double> Score(PipelineDefinition trial, ValidationReport validation, ValidationFold fold)
    {
        var (_, model, _, _) = ModelTrainer.Fit(trial, validation, fold.Training);
        var scored = model.Transform(ModelTrainer.ToDataView(fold.HeldOut, trial.ModelTask, validation.Labels, includeLabel: false));
        var outputs = new Dictionary<string, ScoredOutput>(StringComparer.Ordinal);
        foreach (var name in Outputs)
        {
            if (scored.Schema.GetColumnOrNull(name) is not { } column)
                continue;
            switch (column.Type)
            {
                case NumberDataViewType when column.Type.RawType == typeof(float):
                    outputs[name] = new ScoredOutput(name, 1, Floats: scored.GetColumn<float>(column).ToArray());
                    break;
                case BooleanDataViewType:
                    outputs[name] = new ScoredOutput(name, 1, Booleans: scored.GetColumn<bool>(column).ToArray());
                    break;
                case VectorDataViewType { ItemType.RawType: var item, Size: > 0 } vector when item == typeof(float):
                    outputs[name] = new ScoredOutput(name, vector.Size, Floats: scored.GetColumn<float[]>(column).SelectMany(v => v).ToArray());
                    break;
            }
        }
        return ModelEvaluator.ComputeMetrics(trial.ModelTask, fold.HeldOut, validation.Labels, outputs);
    }
}
