using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Reporting;

namespace MlOps.Ci.Core.Tests.Reporting;

/// <summary>
/// A second, weaker churn model (fewer rows, fewer trees, a regression gate on AUC) to compare with the shared trained
/// one: two real packages with a real metric change between them.
/// </summary>
public sealed class WeakChurnModel : IDisposable
{
    public const int TrainingRows = 400;

    public WeakChurnModel()
    {
        Folder = new TempFolder();
        var training = ChurnSample.Copy(Folder, "train.csv", TrainingRows);
        var evaluation = ChurnSample.Copy(Folder, "test.csv", TrainedChurnModel.EvaluationRows);
        Definition = Definitions.In(Folder, ChurnSample.Label, [training], [evaluation]) with
        {
            ModelName = "churn",
            ModelVersion = "2.2.0",
            IgnoreColumns = [ChurnSample.Identifier],
            Hyperparameters = new Dictionary<string, string> { ["NumberOfTrees"] = "5", ["NumberOfLeaves"] = "4", ["LearningRate"] = "0.05" },
            QualityGates = [new QualityGate("AUC", Minimum: 0.5, MaxDecrease: 0.005), new QualityGate("LogLoss", MaxIncrease: 0.5)],
        };
        new PipelineRunner(NullLogger.Instance).Run(Definition, [PipelineStep.Validate, PipelineStep.Train, PipelineStep.Evaluate, PipelineStep.Package]);
        Package = ModelPackage.Read(Definition.PackagePath);
    }

    public TempFolder Folder { get; }
    public PipelineDefinition Definition { get; }
    public ModelPackage Package { get; }

    public void Dispose() => Folder.Dispose();
}

[Collection(TrainedChurnModelCollection.Name)]
public sealed class ModelComparisonSpecs(TrainedChurnModel strongModel, WeakChurnModel weakModel) : IClassFixture<WeakChurnModel>
{
    private readonly ModelPackage _strong = ModelPackage.Read(strongModel.Definition.PackagePath);
    private readonly ModelPackage _weak = weakModel.Package;

    [Fact]
    public void The_metrics_table_shows_baseline_candidate_and_change_for_every_metric()
    {
        var report = ModelComparison.Compare(_strong, _weak, "weak.mlpkg");

        report.Metrics.Select(m => m.Metric).ShouldBe(_strong.Card.Metrics.Keys, ignoreOrder: true);
        var auc = report.Metrics.Single(m => m.Metric == "AUC");
        auc.Baseline.ShouldBe(_weak.Card.Metrics["AUC"]);
        auc.Candidate.ShouldBe(_strong.Card.Metrics["AUC"]);
        auc.Change!.Value.ShouldBe(_strong.Card.Metrics["AUC"] - _weak.Card.Metrics["AUC"], 1e-12);
        auc.Change.Value.ShouldBeGreaterThan(0.0, "100 trees on 1,500 rows beat 5 trees on 400");
        report.Metrics.Single(m => m.Metric == "LogLoss").HigherIsBetter.ShouldBeFalse();
    }

    [Fact]
    public void A_candidate_that_fell_more_than_MaxDecrease_below_its_baseline_fails_its_regression_gate()
    {
        var report = ModelComparison.Compare(_weak, _strong, "production");

        report.Passed.ShouldBeFalse();
        var failed = report.FailedGates.ToList();
        failed.ShouldContain(f => f.Metric.Metric == "AUC" && f.Gate.Kind == GateCheck.Regression);
        var message = failed.First(f => f.Metric.Metric == "AUC").Gate.Message;
        message.ShouldContain("AUC fell by");
        message.ShouldContain(ModelComparison.Format(_strong.Card.Metrics["AUC"]));
        message.ShouldContain("0.005");
        // The absolute bound of the same gate still passes and is shown beside it.
        report.Metrics.Single(m => m.Metric == "AUC").Gates.ShouldContain(g => g.Kind == GateCheck.Absolute && g.Passed);
    }

    [Fact]
    public void Without_a_baseline_only_the_absolute_bounds_gate_and_the_report_says_so()
    {
        var note = Diagnostic.Warning(DiagnosticCodes.BaselineNotFound, "The registry has no 'production' tag of churn: treated as the first model.");

        var report = ModelComparison.Compare(_weak, null, "production", [note]);

        report.Passed.ShouldBeTrue();
        report.Baseline.ShouldBeNull();
        report.Metrics.Single(m => m.Metric == "AUC").Gates.Single(g => g.Kind == GateCheck.Regression).Message.ShouldContain("no baseline");
        report.Data.ShouldAllBe(d => d.Change == DataChange.Added);
        var markdown = ReportMarkdown.Render(report);
        markdown.ShouldContain("first model");
        markdown.ShouldContain("MLOPS3101");
        markdown.ShouldNotContain("Distribution shift");
    }

    [Fact]
    public void The_input_changes_name_the_data_rows_parameters_and_an_unchanged_environment()
    {
        var report = ModelComparison.Compare(_strong, _weak, "weak.mlpkg");

        var training = report.Data.Single(d => d.Role == DataRole.Training);
        training.Change.ShouldBe(DataChange.Changed);
        (training.BaselineRows, training.CandidateRows).ShouldBe((WeakChurnModel.TrainingRows, TrainedChurnModel.TrainingRows));
        report.Data.Single(d => d.Role == DataRole.Evaluation).Change.ShouldBe(DataChange.Unchanged);
        report.Parameters.ShouldContain(new ValueChange("NumberOfTrees", "5", "100"));
        report.Parameters.ShouldContain(new ValueChange("NumberOfLeaves", "4", "16"));
        report.Parameters.ShouldNotContain(p => p.Name == "LearningRate");
        report.Environment.ShouldBeEmpty("both were built here");
        report.Schema.ShouldBeEmpty();
        report.Shift.Select(s => s.Column).ShouldContain("Tenure");
        report.Shift.ShouldAllBe(s => s.Psi >= 0);
    }

    [Fact]
    public void A_changed_feature_declaration_is_listed_per_column_and_an_older_baseline_claims_no_change()
    {
        var declared = _strong with
        {
            Card = _strong.Card with
            {
                Featurization = [.. _strong.Card.Featurization!.Where(f => f.Column != "TotalCharges"),
                    new MlOps.Ci.Training.Features.FeatureDeclaration("TotalCharges", [MlOps.Ci.Training.Features.FeatureTransform.ReplaceMissing, MlOps.Ci.Training.Features.FeatureTransform.Normalize]) { Replacement = MlOps.Ci.Training.Features.MissingReplacement.Zero }],
            },
        };
        var older = _weak with { Card = _weak.Card with { Featurization = null } };

        var report = ModelComparison.Compare(declared, _weak, "production");
        var markdown = ReportMarkdown.ToQualityReport(report).Markdown;

        report.Featurization.ShouldBe([new ValueChange("TotalCharges", "ReplaceMissing(Mean)", "ReplaceMissing(Zero) → Normalize(MinMax)")]);
        markdown.ShouldContain("**Featurization (inside the ONNX graph)**");
        markdown.ShouldContain("| TotalCharges | ReplaceMissing(Mean) | ReplaceMissing(Zero) → Normalize(MinMax) |");
        ModelComparison.Compare(_weak, _strong, "production").Featurization.ShouldBeEmpty("both use the defaults");
        ModelComparison.Compare(declared, older, "production").Featurization.ShouldBeNull();
    }

    [Fact]
    public void The_markdown_has_the_verdict_the_table_a_mermaid_chart_and_the_changes()
    {
        var quality = ReportMarkdown.ToQualityReport(ModelComparison.Compare(_weak, _strong, "production"));

        quality.Passed.ShouldBeFalse();
        quality.Title.ShouldBe("churn 2.2.0: quality gate failed");
        quality.Summary.ShouldContain("gate checks failed");
        quality.Summary.ShouldContain("against churn 2.1.0");
        var lines = quality.Markdown.Split('\n');
        lines[0].ShouldStartWith("## ❌ churn 2.2.0");
        lines.ShouldContain("| metric | baseline | candidate | change | gate |");
        lines.ShouldContain(l => l.StartsWith("| AUC | " + ModelComparison.Format(_strong.Card.Metrics["AUC"]) + " | " + ModelComparison.Format(_weak.Card.Metrics["AUC"]) + " | −", StringComparison.Ordinal));
        quality.Markdown.ShouldContain("```mermaid\nxychart-beta");
        lines.ShouldContain(l => l.StartsWith("  x-axis [\"AUC\", \"Accuracy\"", StringComparison.Ordinal));
        lines.ShouldContain(l => l.StartsWith("  bar [", StringComparison.Ordinal));
        lines.ShouldContain(l => l.StartsWith("  line [", StringComparison.Ordinal), "the baseline is drawn as a line over the candidate's bars");
        quality.Markdown.ShouldContain("| NumberOfTrees | 100 | 5 |");
        quality.Markdown.ShouldContain("Distribution shift");
    }

    [Fact]
    public void The_report_lists_the_candidates_most_important_features_beside_the_baselines_drops()
    {
        var report = ModelComparison.Compare(_strong, _weak, "weak.mlpkg");

        var importance = report.Importance.ShouldNotBeNull();
        importance.Metric.ShouldBe("AUC");
        importance.BaselineRecorded.ShouldBeTrue();
        importance.Features.Select(f => f.Feature).ShouldBe(_strong.Card.FeatureImportance!.Features.Select(f => f.Feature));
        var top = importance.Features[0];
        top.Baseline.ShouldBe(_weak.Card.FeatureImportance!.Features.Single(f => f.Feature == top.Feature).MetricDrop);
        var lines = ReportMarkdown.Render(report).Split('\n');
        lines.ShouldContain("### Feature importance");
        lines.ShouldContain("| feature | baseline drop | candidate drop |");
        lines.ShouldContain($"| {top.Feature} | {ModelComparison.Format(top.Baseline!.Value)} | {ModelComparison.Format(top.Candidate)} |");
        var shown = lines.SkipWhile(l => l != "| feature | baseline drop | candidate drop |").Skip(2).TakeWhile(l => l.StartsWith('|')).ToList();
        shown.Count.ShouldBe(Math.Min(10, importance.Features.Count));
    }

    [Fact]
    public void A_baseline_packaged_before_importance_was_recorded_shows_not_recorded()
    {
        var older = _weak with { Card = _weak.Card with { FeatureImportance = null } };

        var markdown = ReportMarkdown.Render(ModelComparison.Compare(_strong, older, "older.mlpkg"));

        markdown.ShouldContain("### Feature importance");
        markdown.ShouldContain($"| {_strong.Card.FeatureImportance!.Features[0].Feature} | not recorded | ");
        ReportMarkdown.Render(ModelComparison.Compare(older, _strong, "production")).ShouldNotContain("Feature importance", Case.Sensitive,
            "a candidate without importance has no table");
    }

    [Fact]
    public void A_baseline_of_another_task_cannot_be_compared()
    {
        var regression = _strong with { Card = _strong.Card with { Task = ModelTask.Regression } };

        var diagnostic = Failures.SingleOf(() => ModelComparison.Compare(_weak, regression, "other.mlpkg"));

        diagnostic.Code.ShouldBe(DiagnosticCodes.BaselineIncompatible);
        diagnostic.Message.ShouldContain("Regression");
    }
}
