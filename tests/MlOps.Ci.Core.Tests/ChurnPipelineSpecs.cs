using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Core.Tests;

/// <summary>The churn sample, trained, evaluated and packaged end to end through <see cref="PipelineRunner"/>.</summary>
[Collection(TrainedChurnModelCollection.Name)]
public sealed class ChurnPipelineSpecs(TrainedChurnModel model)
{
    private readonly ModelPackage _package = ModelPackage.Read(model.Definition.PackagePath);

    [Fact]
    public void I_can_train_evaluate_and_package_the_churn_sample()
    {
        File.Exists(model.Definition.PackagePath).ShouldBeTrue();
        _package.Card.Name.ShouldBe("churn");
        _package.Card.Version.ShouldBe("2.1.0");
        _package.Card.Task.ShouldBe(ModelTask.BinaryClassification);
        _package.Card.Trainer.Name.ShouldBe("FastTree");
        _package.Card.Trainer.Parameters["NumberOfTrees"].ShouldBe("100");
        _package.Card.Trainer.Seed.ShouldBe(42);
    }

    [Fact]
    public void The_card_reports_an_AUC_well_above_chance_and_the_gates_that_passed()
    {
        _package.Card.Metrics["AUC"].ShouldBeGreaterThan(0.75);
        _package.Card.Metrics["Accuracy"].ShouldBeGreaterThan(0.6);
        _package.Card.Metrics.Keys.ShouldBe(["AUC", "Accuracy", "F1Score", "Precision", "Recall", "LogLoss"], ignoreOrder: true);
        _package.Card.Gates.Select(g => g.Metric).ShouldBe(["AUC", "LogLoss"]);
        _package.Card.Gates.ShouldAllBe(g => g.Passed);
        _package.Card.Metrics.ShouldBe(model.Evaluation.Metrics);
    }

    [Fact]
    public void The_card_fingerprints_both_data_files_by_content()
    {
        var data = _package.Card.Fingerprints.Data;

        data.Select(d => (d.Path, d.Role, d.Rows)).ShouldBe(
        [
            ("data/train.csv", DataRole.Training, TrainedChurnModel.TrainingRows),
            ("data/test.csv", DataRole.Evaluation, TrainedChurnModel.EvaluationRows),
        ]);
        data.ShouldAllBe(d => System.Text.RegularExpressions.Regex.IsMatch(d.Fingerprint, "^xxh128:[0-9a-f]{32}$"));
        data[0].Fingerprint.ShouldBe(ContentHash.OfFile(model.TrainingFile));
        data[1].Fingerprint.ShouldBe(ContentHash.OfFile(model.EvaluationFile));
        _package.Card.Fingerprints.Model.ShouldStartWith(ContentHash.Prefix);
        _package.Card.Fingerprints.Definition.ShouldStartWith(ContentHash.Prefix);
    }

    [Fact]
    public void The_signature_takes_the_raw_feature_columns_by_name_and_type()
    {
        var inputs = _package.Card.Signature.Inputs.ToDictionary(i => i.Name);

        inputs.Keys.ShouldBe(["Tenure", "MonthlyCharges", "TotalCharges", "Contract", "Plan", "PaymentMethod", "InternetService", "Region", "SeniorCitizen",
            "SupportCalls", "DataUsageGb"], ignoreOrder: true);
        inputs.ShouldNotContainKey(ChurnSample.Identifier);
        inputs.ShouldNotContainKey(ChurnSample.Label);
        inputs["Contract"].ElementType.ShouldBe("string");
        inputs["Contract"].Kind.ShouldBe(ColumnKind.Categorical);
        inputs["Tenure"].ElementType.ShouldBe("float");
        inputs["Tenure"].Kind.ShouldBe(ColumnKind.Numeric);
        inputs["SeniorCitizen"].ElementType.ShouldBe("float");
        inputs["SeniorCitizen"].Kind.ShouldBe(ColumnKind.Boolean);
        inputs["Tenure"].Shape.ShouldBe([-1, 1]);
    }

    [Fact]
    public void The_signature_names_the_outputs_classes_and_positive_class()
    {
        var signature = _package.Card.Signature;

        signature.Outputs.Select(o => OnnxOutputName(o.Name)).ShouldBe(["PredictedLabel", "Score", "Probability"], ignoreOrder: true);
        signature.LabelColumn.ShouldBe(ChurnSample.Label);
        signature.Classes.ShouldBe(["No", "Yes"]);
        signature.PositiveClass.ShouldBe("Yes");
    }

    [Fact]
    public void The_package_holds_the_trained_model_and_the_training_data_profile()
    {
        _package.Onnx.ShouldBe(File.ReadAllBytes(model.Workspace.ModelPath));
        _package.Profile.Rows.ShouldBe(TrainedChurnModel.TrainingRows);
        _package.Profile.Columns.Select(c => c.Name).ShouldContain("Contract");
        _package.Profile.Columns.Select(c => c.Name).ShouldNotContain(ChurnSample.Identifier);
    }

    [Fact]
    public void The_same_package_content_gives_the_same_bytes()
    {
        var first = model.Folder.PathOf("copies/first.mlpkg");
        var second = model.Folder.PathOf("copies/second.mlpkg");

        _package.Write(first);
        _package.Write(second);

        File.ReadAllBytes(second).ShouldBe(File.ReadAllBytes(first));
        ModelPackage.Read(second).Card.Fingerprints.Model.ShouldBe(_package.Card.Fingerprints.Model);
    }

    private static string OnnxOutputName(string name) => Evaluation.OnnxScorer.ColumnNameOf(name);
}
