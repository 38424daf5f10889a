using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Training.Features;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Training;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Core.Tests;

/// <summary>
/// Declared feature engineering (<c>Feature</c> items): each transform is part of the exported graph, so raw rows —
/// missing numbers and unseen categories included — score through the ONNX model exactly as through the ML.NET
/// pipeline that was trained; and every mistake in a declaration has its own code at the item's line.
/// </summary>
public sealed class FeatureEngineeringSpecs
{
    private const string Label = "Bought";
    private static readonly string[] Words = ["great", "slow", "support", "price", "fast", "cancel", "love", "bill"];

    public static TheoryData<string, string, FeatureDeclaration[]> Declarations => new()
    {
        { "FastTree", "mean imputation, min-max, one-hot", [
            new("Age", [FeatureTransform.Normalize]),
            new("Usage", [FeatureTransform.ReplaceMissing, FeatureTransform.Normalize]) { Normalization = NormalizationMode.MeanVariance },
            new("Plan", [FeatureTransform.OneHot]),
            new("Comment", [FeatureTransform.Drop]) ] },
        { "LbfgsLogisticRegression", "zero imputation, hashing", [
            new("Age", [FeatureTransform.Normalize]) { Normalization = NormalizationMode.MeanVariance },
            new("Usage", [FeatureTransform.ReplaceMissing, FeatureTransform.Normalize]) { Replacement = MissingReplacement.Zero },
            new("Plan", [FeatureTransform.Hash]) { HashBits = 4 },
            new("Comment", [FeatureTransform.Drop]) ] },
        { "LbfgsLogisticRegression", "maximum imputation, robust scaling, capped one-hot, hashed words", [
            new("Age", [FeatureTransform.Normalize]) { Normalization = NormalizationMode.Robust },
            new("Usage", [FeatureTransform.ReplaceMissing]) { Replacement = MissingReplacement.Maximum },
            new("Plan", [FeatureTransform.OneHot]) { MaxCategories = 2 },
            new("Comment", [FeatureTransform.Hash]) { HashBits = 8 } ] },
        { "FastTree", "mode imputation, one-hot of a free-text column, a dropped number", [
            new("Usage", [FeatureTransform.ReplaceMissing]) { Replacement = MissingReplacement.Mode },
            new("Comment", [FeatureTransform.OneHot]),
            new("Age", [FeatureTransform.Drop]) ] },
    };

    [Theory]
    [MemberData(nameof(Declarations))]
    public void Raw_rows_scored_by_the_onnx_model_equal_the_mlnet_pipelines_predictions(string trainer, string what, FeatureDeclaration[] features)
    {
        using var folder = new TempFolder();
        var definition = Project(folder, features) with { Trainer = trainer };
        var runner = new PipelineRunner(NullLogger.Instance);
        var validation = runner.Validate(definition);
        var training = runner.Train(definition);

        var evaluationTable = DataTable.Load(definition.EvaluationData, validation.Schema);
        var (ml, model, _, _) = ModelTrainer.Fit(definition, validation, DataTable.Load(definition.TrainingData, validation.Schema));
        var mlnet = Probabilities(ml, model.Transform(ModelTrainer.ToDataView(evaluationTable, definition.ModelTask, validation.Labels, includeLabel: false)));
        using var scorer = OnnxScorer.Load(PipelineWorkspace.For(definition).ModelPath);
        var onnx = scorer.Score(evaluationTable)["Probability"].Floats!;

        onnx.Length.ShouldBe(evaluationTable.RowCount, what);
        for (var i = 0; i < onnx.Length; i++)
            onnx[i].ShouldBe(mlnet[i], 1e-5, $"{what}: row {i}");
        // The graph takes the raw columns the plan keeps, and nothing it drops.
        var dropped = features.Where(f => f.Drops).Select(f => f.Column).ToList();
        scorer.InputMetadata.Keys.Order().ShouldBe(new[] { "Age", "Usage", "Plan", "Active", "Comment" }.Except(dropped).Order(), what);
        training.Features!.Where(f => features.Any(d => d.Column == f.Column)).ShouldBe(features.Where(f => !f.Drops), what);
    }

    [Fact]
    public void The_model_card_records_each_columns_featurization_declared_or_default()
    {
        using var folder = new TempFolder();
        var definition = Project(folder, [new("Usage", [FeatureTransform.ReplaceMissing, FeatureTransform.Normalize]) { Replacement = MissingReplacement.Minimum }, new("Comment", [FeatureTransform.Drop])]);
        var runner = new PipelineRunner(NullLogger.Instance);
        runner.Run(definition, [PipelineStep.Validate, PipelineStep.Train, PipelineStep.Evaluate, PipelineStep.Package]);

        var card = ModelPackage.Read(definition.PackagePath).Card;

        card.Featurization!.Select(f => $"{f.Column}: {f.Describe()}").ShouldBe(
        [
            "Age: ReplaceMissing(Mean)", "Usage: ReplaceMissing(Minimum) → Normalize(MinMax)", "Plan: OneHot", "Active: ReplaceMissing(Mean)",
        ]);
        card.Signature.Inputs.Select(i => i.Name).ShouldNotContain("Comment");
    }

    [Fact]
    public void Declaring_features_changes_the_model_fingerprint_and_declaring_none_keeps_it()
    {
        using var folder = new TempFolder();
        var plain = Project(folder, []);
        var declared = plain with { Features = [new("Age", [FeatureTransform.Normalize])] };
        var reordered = plain with { Features = [new("Usage", [FeatureTransform.ReplaceMissing]), new("Age", [FeatureTransform.Normalize])] };
        var reversed = plain with { Features = [new("Age", [FeatureTransform.Normalize]), new("Usage", [FeatureTransform.ReplaceMissing])] };

        InputFingerprints.OfDefinition(declared, null).ShouldNotBe(InputFingerprints.OfDefinition(plain, null));
        InputFingerprints.OfDefinition(reordered, null).ShouldBe(InputFingerprints.OfDefinition(reversed, null));
        InputFingerprints.OfDefinition(plain, null).ShouldBe(InputFingerprints.OfDefinition(plain with { Features = [] }, null));
    }

    [Fact]
    public void A_feature_on_a_column_the_data_does_not_have_fails_validation_with_MLOPS2101_at_the_items_line()
    {
        using var folder = new TempFolder();
        var definition = Project(folder, [new("Tenure", [FeatureTransform.Normalize])]);
        folder.Write("model.mlproj", "<Project Sdk=\"MlOps.Ci.Sdk\">\n  <ItemGroup>\n    <Feature Include=\"Tenure\" Transform=\"Normalize\" />\n  </ItemGroup>\n</Project>\n");

        var error = Failures.SingleOf(() => new PipelineRunner(NullLogger.Instance).Validate(definition));

        error.Code.ShouldBe(DiagnosticCodes.FeatureColumnNotFound);
        error.Message.ShouldContain("Age, Usage, Plan, Active, Bought, Comment");
        error.Location.ShouldBe(new SourceLocation(definition.ProjectFile, 3, 5));
        File.Exists(PipelineWorkspace.For(definition).ValidationReportPath).ShouldBeFalse();
    }

    [Theory]
    [InlineData("Plan", FeatureTransform.Normalize, "numbers")]
    [InlineData("Usage", FeatureTransform.OneHot, "<CategoricalColumn Include=\"Usage\" />")]
    [InlineData("Active", FeatureTransform.Hash, "categorical (text) column")]
    public void A_transform_that_does_not_fit_the_columns_kind_fails_with_MLOPS2106(string column, FeatureTransform transform, string hint)
    {
        using var folder = new TempFolder();
        var definition = Project(folder, [new(column, [transform])]);

        var error = Failures.SingleOf(() => new PipelineRunner(NullLogger.Instance).Validate(definition));

        error.Code.ShouldBe(DiagnosticCodes.FeatureTransformDoesNotFitColumn);
        $"{error.Message} {error.Hint}".ShouldContain(hint);
    }

    [Fact]
    public void A_feature_on_the_label_or_an_ignored_column_fails_with_MLOPS2107()
    {
        using var folder = new TempFolder();
        var definition = Project(folder, [new(Label, [FeatureTransform.OneHot]), new("Age", [FeatureTransform.Normalize])]) with { IgnoreColumns = ["Age"] };

        var errors = Failures.Of(() => new PipelineRunner(NullLogger.Instance).Validate(definition));

        errors.Select(e => (e.Code, e.Message.Contains("label", StringComparison.Ordinal))).ShouldBe(
            [(DiagnosticCodes.FeatureOnLabelOrIgnoredColumn, true), (DiagnosticCodes.FeatureOnLabelOrIgnoredColumn, false)]);
    }

    public static TheoryData<string, FeatureDeclaration[], string> Conflicts => new()
    {
        { DiagnosticCodes.FeatureDeclaredTwice, [new("Age", [FeatureTransform.Normalize]), new("Age", [FeatureTransform.ReplaceMissing])], "2 Feature items" },
        { DiagnosticCodes.FeatureTransformsConflict, [new("Plan", [FeatureTransform.OneHot, FeatureTransform.Hash])], "more than one encoding" },
        { DiagnosticCodes.FeatureTransformNotExportable, [new("Age", [FeatureTransform.Bin])], "no binning operator" },
        { DiagnosticCodes.FeatureTransformNotExportable, [new("Comment", [FeatureTransform.Text])], "one row per call" },
        { DiagnosticCodes.FeatureTransformsConflict, [new("Age", [FeatureTransform.Normalize, FeatureTransform.ReplaceMissing])], "ReplaceMissing comes after" },
        { DiagnosticCodes.FeatureTransformsConflict, [new("Age", [FeatureTransform.Drop, FeatureTransform.Normalize])], "Drop leaves the column out" },
        { DiagnosticCodes.FeatureTransformsConflict, [new("Age", [FeatureTransform.Normalize, FeatureTransform.Normalize])], "repeated" },
        { DiagnosticCodes.UnknownFeatureTransform, [new("Age", [])], "no transform" },
    };

    [Theory]
    [MemberData(nameof(Conflicts))]
    public void Declarations_that_cannot_be_combined_fail_before_any_data_is_read(string code, FeatureDeclaration[] features, string named)
    {
        using var folder = new TempFolder();
        // No data files at all: the definition check must fail first.
        var definition = Definitions.In(folder, Label, [folder.PathOf("missing.csv")]) with { Features = features };

        var error = Failures.SingleOf(() => new PipelineRunner(NullLogger.Instance).Validate(definition));

        error.Code.ShouldBe(code);
        error.Message.ShouldContain(named);
    }

    /// <summary>The synthetic binary table plus a free-text column; the evaluation rows include holes and a category and words never seen in training.</summary>
    private static PipelineDefinition Project(TempFolder folder, IReadOnlyList<FeatureDeclaration> features)
    {
        var lines = SyntheticData.Binary(700, seed: 21).ToList();
        var random = new Random(5);
        var rows = new List<string> { $"{lines[0]},Comment" };
        foreach (var line in lines.Skip(1))
        {
            var bought = line.EndsWith(",Yes", StringComparison.Ordinal);
            // Words lean with the label, so the text carries signal the text transform has to keep.
            var comment = string.Join(' ', Enumerable.Range(0, 1 + random.Next(4)).Select(_ => Words[(random.Next(4) + (bought ? 0 : 4)) % Words.Length]));
            rows.Add($"{line},{comment}");
        }
        var training = folder.WriteLines("data/train.csv", rows.Take(501));
        var unseen = new[] { "30,NA,Enterprise,yes,Yes,great new words", "45,2.5,,no,No,", "61,,Plus,no,No,SLOW Bill!" };
        var evaluation = folder.WriteLines("data/test.csv", rows.Take(1).Concat(rows.Skip(501)).Concat(unseen));
        return Definitions.In(folder, Label, [training], [evaluation]) with { Features = features, Trainer = "FastTree" };
    }

    private static float[] Probabilities(MLContext ml, IDataView scored) =>
        ml.Data.CreateEnumerable<Scored>(ml.Transforms.CopyColumns("Value", "Probability").Fit(scored).Transform(scored), reuseRowObject: false)
            .Select(r => r.Value).ToArray();

    private sealed class Scored
    {
        public float Value { get; set; }
    }
}
