using System.Text;
using System.Text.Json.Nodes;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Monitoring;
using MlOps.Ci.Packaging;
using MlOps.Ci.Reporting;
using MlOps.Ci.Serving.Tests.Support;

namespace MlOps.Ci.Serving.Tests;

/// <summary>
/// mlops feedback's engine on logs the real host wrote: ground truth joined to logged predictions by request id and
/// row, metrics as evaluation computes them, gated against the package's evaluation with MaxDecrease.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class FeedbackSpecs(ServingFixture fixture) : IAsyncLifetime
{
    private const int RowsPerRequest = 50;
    private string _log = "";
    private string _gatedPackage = "";
    private IReadOnlyList<string> _truth = [];

    /// <summary>The churn evaluation rows served in requests of 50 rows ("req-0", "req-1", …), and the package with change bounds on its gates.</summary>
    public async Task InitializeAsync()
    {
        var model = fixture.Models.Churn;
        _truth = Truth(model);
        _log = fixture.Models.Folder.PathOf($"logs/feedback-{Guid.NewGuid():N}.jsonl");
        await using (var host = await fixture.StartAsync(model, options => options with { RequestLogPath = _log }))
        {
            var chunks = EvaluationRows.Of(model).Chunk(RowsPerRequest).ToList();
            for (var i = 0; i < chunks.Count; i++)
                (await host.PostOkAsync("/predict", new JsonArray([.. chunks[i].Select(r => r.DeepClone())]), requestId: $"req-{i}")).ShouldNotBeNull();
            await host.StopAsync();
        }
        var package = ModelPackage.Read(model.PackagePath);
        var metrics = package.Card.Metrics;
        var gates = new[] { "AUC", "Accuracy" }.Select(m => new GateVerdict(m, null, null, metrics[m], true, $"{m} is bounded against the baseline", MaxDecrease: 0.05))
            .Append(new GateVerdict("LogLoss", null, null, metrics["LogLoss"], true, "LogLoss is bounded against the baseline", MaxIncrease: 0.1)).ToList();
        _gatedPackage = fixture.Models.Folder.PathOf($"packages/gated-{Guid.NewGuid():N}.mlpkg");
        (package with { Card = package.Card with { Gates = gates } }).Write(_gatedPackage);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void True_labels_for_the_evaluation_rows_give_the_package_s_own_evaluation_metrics_and_no_retraining()
    {
        var labels = Labels((i, truth) => truth);

        var report = LiveMetrics.Evaluate(new FeedbackOptions(_gatedPackage, _log, labels));

        var card = ModelPackage.Read(_gatedPackage).Card;
        report.Join.Matched.ShouldBe(_truth.Count);
        report.Join.Unmatched.ShouldBe(0);
        report.Metrics.Select(m => m.Metric).ShouldBe(Metrics.Names[card.Task], ignoreOrder: true);
        foreach (var metric in report.Metrics)
        {
            metric.Baseline.ShouldBe(card.Metrics[metric.Metric]);
            metric.Candidate.ShouldBe(card.Metrics[metric.Metric], 1e-6, metric.Metric);
        }
        report.Metrics.Single(m => m.Metric == "AUC").Gates.ShouldHaveSingleItem().Passed.ShouldBeTrue();
        report.Decayed.ShouldBeFalse();
        report.Retrain.ShouldBeFalse();
        report.Diagnostics.ShouldBeEmpty();
    }

    [Fact]
    public void Labels_that_contradict_a_third_of_the_predictions_decay_the_live_metrics_past_max_decrease_and_advise_retraining()
    {
        var labels = Labels((i, truth) => i % 3 == 0 ? (truth == "Yes" ? "No" : "Yes") : truth);

        var report = LiveMetrics.Evaluate(new FeedbackOptions(_gatedPackage, _log, labels));

        report.Decayed.ShouldBeTrue();
        report.Retrain.ShouldBeTrue();
        var auc = report.Metrics.Single(m => m.Metric == "AUC");
        auc.Change!.Value.ShouldBeLessThan(-0.05);
        auc.Gates.ShouldHaveSingleItem().Message.ShouldStartWith("AUC fell by");
        report.FailedGates.Select(f => f.Metric.Metric).ShouldContain("Accuracy");
        report.Summary.ShouldContain("Retraining is advised");
        LiveMetrics.Markdown(report).ShouldContain("| AUC |");
    }

    [Fact]
    public void Labels_for_requests_the_log_does_not_have_are_counted_and_reported_but_not_fatal()
    {
        var labels = Labels((i, truth) => truth, extra: "ghost-1,0,Yes\nghost-2,3,No\n");

        var report = LiveMetrics.Evaluate(new FeedbackOptions(_gatedPackage, _log, labels));

        report.Join.Matched.ShouldBe(_truth.Count);
        report.Join.Unmatched.ShouldBe(2);
        report.Join.UnknownRequestIds.ShouldBe(["ghost-1", "ghost-2 row 3"]);
        var warning = report.Diagnostics.ShouldHaveSingleItem();
        warning.Code.ShouldBe(DiagnosticCodes.FeedbackUnknownRequestIds);
        warning.Severity.ShouldBe(DiagnosticSeverity.Warning);
        warning.Location!.Line.ShouldBe(_truth.Count + 2);
    }

    [Fact]
    public void Labels_none_of_which_match_a_logged_prediction_are_an_error()
    {
        var labels = fixture.Models.Folder.PathOf($"labels/{Guid.NewGuid():N}.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(labels)!);
        File.WriteAllText(labels, "requestId,row,Churned\nnowhere,0,Yes\n");

        var error = Should.Throw<MlOpsException>(() => LiveMetrics.Evaluate(new FeedbackOptions(_gatedPackage, _log, labels)));

        error.Diagnostics.Last().Code.ShouldBe(DiagnosticCodes.FeedbackNoMatches);
        error.Diagnostics.Last().Message.ShouldContain("nowhere");
    }

    [Fact]
    public void A_log_cut_mid_line_is_read_up_to_its_last_complete_line()
    {
        var cut = fixture.Models.Folder.PathOf($"logs/cut-{Guid.NewGuid():N}.jsonl");
        var lines = File.ReadAllLines(_log);
        // The first request's 50 rows, then half of the next line: a log copied while the host was writing it.
        File.WriteAllText(cut, string.Join('\n', lines.Take(RowsPerRequest)) + "\n" + lines[RowsPerRequest][..(lines[RowsPerRequest].Length / 2)]);

        var report = LiveMetrics.Evaluate(new FeedbackOptions(_gatedPackage, cut, Labels((i, truth) => truth)));

        report.Join.LogLines.ShouldBe(RowsPerRequest);
        report.Join.LastLineTruncated.ShouldBeTrue();
        report.Join.Matched.ShouldBe(RowsPerRequest);
        report.Diagnostics.Select(d => d.Code).ShouldBe([DiagnosticCodes.FeedbackLastLineIncomplete, DiagnosticCodes.FeedbackUnknownRequestIds]);
    }

    [Fact]
    public void An_empty_log_is_an_error_of_its_own()
    {
        var empty = fixture.Models.Folder.PathOf($"logs/empty-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(empty, "");

        var error = Should.Throw<MlOpsException>(() => LiveMetrics.Evaluate(new FeedbackOptions(_gatedPackage, empty, Labels((i, truth) => truth))));

        error.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.FeedbackLogEmpty);
    }

    [Fact]
    public void A_labels_file_without_the_label_column_names_the_file_and_its_columns()
    {
        var labels = fixture.Models.Folder.PathOf($"labels/{Guid.NewGuid():N}.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(labels)!);
        File.WriteAllText(labels, "requestId,row,Outcome\nreq-0,0,Yes\n");

        var error = Should.Throw<MlOpsException>(() => LiveMetrics.Evaluate(new FeedbackOptions(_gatedPackage, _log, labels)));

        var diagnostic = error.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Code.ShouldBe(DiagnosticCodes.FeedbackLabelColumnMissing);
        diagnostic.Location!.File.ShouldBe(labels);
        diagnostic.Message.ShouldContain("'Churned'");
        diagnostic.Message.ShouldContain("requestId, row, Outcome");

        // The same file read with the column named explicitly joins.
        LiveMetrics.Evaluate(new FeedbackOptions(_gatedPackage, _log, labels) { LabelColumn = "Outcome" }).Join.Matched.ShouldBe(1);
    }

    [Fact]
    public void A_label_that_is_not_a_class_of_the_model_is_an_error_on_its_line()
    {
        var labels = Labels((i, truth) => i == 7 ? "Maybe" : truth);

        var error = Should.Throw<MlOpsException>(() => LiveMetrics.Evaluate(new FeedbackOptions(_gatedPackage, _log, labels)));

        var diagnostic = error.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Code.ShouldBe(DiagnosticCodes.FeedbackLabelInvalid);
        diagnostic.Location!.Line.ShouldBe(9);
    }

    [Fact]
    public void A_package_without_change_bounds_reports_live_metrics_without_gating_them()
    {
        var report = LiveMetrics.Evaluate(new FeedbackOptions(fixture.Models.Churn.PackagePath, _log, Labels((i, truth) => i % 2 == 0 ? "Yes" : "No")));

        report.Metrics.ShouldAllBe(m => m.Gates.Count == 0);
        report.Retrain.ShouldBeFalse();
        report.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.FeedbackNoBounds);
    }

    [Fact]
    public void Rows_another_model_scored_are_counted_and_left_out_and_lines_that_are_not_entries_are_skipped()
    {
        var mixed = fixture.Models.Folder.PathOf($"logs/mixed-{Guid.NewGuid():N}.jsonl");
        var lines = File.ReadAllLines(_log).ToList();
        var fingerprint = ModelPackage.Read(_gatedPackage).Card.Fingerprints.Model;
        // The first request was scored by another model (a rollout in progress), and a stray line sits in the middle.
        for (var i = 0; i < RowsPerRequest; i++)
            lines[i] = lines[i].Replace(fingerprint, "xxh128:0000000000000000000000000000000f", StringComparison.Ordinal);
        lines.Insert(100, "not a log entry");
        File.WriteAllLines(mixed, lines);

        var report = LiveMetrics.Evaluate(new FeedbackOptions(_gatedPackage, mixed, Labels((i, truth) => truth)));

        report.Join.OtherModelRows.ShouldBe(RowsPerRequest);
        report.Join.Matched.ShouldBe(_truth.Count - RowsPerRequest);
        report.Join.LinesInvalid.ShouldBe(1);
        report.Diagnostics.Select(d => d.Code).ShouldBe([DiagnosticCodes.FeedbackLogLineInvalid, DiagnosticCodes.FeedbackOtherModelSkipped]);
        report.Diagnostics[0].Location!.Line.ShouldBe(101);
    }

    [Fact]
    public void A_request_labelled_twice_names_both_lines_and_a_file_without_request_ids_says_so()
    {
        var twice = Labels((i, truth) => truth, extra: "req-0,0,Yes\n");
        var noIds = fixture.Models.Folder.PathOf($"labels/{Guid.NewGuid():N}.csv");
        File.WriteAllText(noIds, "id,Churned\nreq-0,Yes\n");

        var duplicate = Should.Throw<MlOpsException>(() => LiveMetrics.Evaluate(new FeedbackOptions(_gatedPackage, _log, twice))).Diagnostics.ShouldHaveSingleItem();
        var missing = Should.Throw<MlOpsException>(() => LiveMetrics.Evaluate(new FeedbackOptions(_gatedPackage, _log, noIds))).Diagnostics.ShouldHaveSingleItem();

        duplicate.Code.ShouldBe(DiagnosticCodes.FeedbackDuplicateLabel);
        duplicate.Message.ShouldContain($"lines 2 and {_truth.Count + 2}");
        missing.Code.ShouldBe(DiagnosticCodes.FeedbackRequestIdColumnMissing);
        LiveMetrics.Evaluate(new FeedbackOptions(_gatedPackage, _log, noIds) { RequestIdColumn = "id" }).Join.Matched.ShouldBe(1);
    }

    /// <summary>A labels CSV for every served row (requestId, row, Churned), the label chosen from the row's index and its true label.</summary>
    private string Labels(Func<int, string, string> label, string extra = "")
    {
        var text = new StringBuilder("requestId,row,Churned\n");
        for (var i = 0; i < _truth.Count; i++)
            text.Append($"req-{i / RowsPerRequest},{i % RowsPerRequest},{label(i, _truth[i])}\n");
        text.Append(extra);
        var path = fixture.Models.Folder.PathOf($"labels/{Guid.NewGuid():N}.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static IReadOnlyList<string> Truth(TrainedModel model)
    {
        var lines = File.ReadAllLines(model.EvaluationFile).Where(l => l.Length > 0).ToList();
        var column = Array.IndexOf(lines[0].Split(','), model.Definition.LabelColumn);
        return lines.Skip(1).Select(l => l.Split(',')[column]).ToList();
    }
}
