using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MlOps.Ci.Training.Features;

/// <summary>
/// Turns a feature plan into ML.NET transforms that read the raw columns by name. Every transform used here has an
/// ONNX export, so the exported graph takes raw rows and serving featurizes exactly as training did (the parity tests
/// in FeatureEngineeringSpecs prove it per transform; Bin and Text, which ML.NET cannot export faithfully, are refused
/// by FeaturePlan before any of this runs).
/// </summary>
public static class FeaturePipeline
{
    /// <summary>The featurization estimator and the columns it produces, in plan order, for the trainer's feature vector.</summary>
    public static (IEstimator<ITransformer> Estimator, IReadOnlyList<string> Outputs) Build(MLContext ml, IReadOnlyList<FeatureDeclaration> plan)
    {
        IEstimator<ITransformer> pipeline = new EstimatorChain<ITransformer>();
        var outputs = new List<string>();
        foreach (var feature in plan.Where(f => !f.Drops))
        {
            var current = feature.Column;
            foreach (var transform in feature.Transforms)
            {
                var next = $"{feature.Column}.{transform.ToString().ToLowerInvariant()}";
                pipeline = pipeline.Append(Estimator(ml, feature, transform, next, current));
                current = next;
            }
            outputs.Add(current);
        }
        return (pipeline, outputs);
    }

    private static IEstimator<ITransformer> Estimator(MLContext ml, FeatureDeclaration feature, FeatureTransform transform, string output, string input) => transform switch
    {
        FeatureTransform.ReplaceMissing => ml.Transforms.ReplaceMissingValues(output, input, feature.Replacement switch
        {
            MissingReplacement.Minimum => MissingValueReplacingEstimator.ReplacementMode.Minimum,
            MissingReplacement.Maximum => MissingValueReplacingEstimator.ReplacementMode.Maximum,
            MissingReplacement.Mode => MissingValueReplacingEstimator.ReplacementMode.Mode,
            MissingReplacement.Zero => MissingValueReplacingEstimator.ReplacementMode.DefaultValue,
            _ => MissingValueReplacingEstimator.ReplacementMode.Mean,
        }),
        FeatureTransform.Normalize => feature.Normalization switch
        {
            // fixZero: false shifts as well as scales, so the minimum maps to 0 and the maximum to 1.
            NormalizationMode.MinMax => ml.Transforms.NormalizeMinMax(output, input, fixZero: false),
            NormalizationMode.MeanVariance => ml.Transforms.NormalizeMeanVariance(output, input, fixZero: false),
            _ => ml.Transforms.NormalizeRobustScaling(output, input),
        },
        // Categories in value order, so the same data gives the same indicator layout (and the same model) every time.
        FeatureTransform.OneHot => ml.Transforms.Categorical.OneHotEncoding(output, input, OneHotEncodingEstimator.OutputKind.Indicator,
            maximumNumberOfKeys: feature.MaxCategories ?? 1_000_000, keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue),
        FeatureTransform.Hash => ml.Transforms.Categorical.OneHotHashEncoding(output, input, OneHotEncodingEstimator.OutputKind.Indicator, numberOfBits: feature.HashBits),
        _ => throw new InvalidOperationException($"Transform {transform} has no estimator."),
    };
}
