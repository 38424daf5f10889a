using System.Globalization;
using System.Text;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Drift;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Packaging;

namespace MlOps.Ci.Core.Tests.Drift;

/// <summary>
/// Drift of the prediction distribution on the real churn package: the package carries the profile of its predictions
/// on the evaluation data, and a request log's outputs are compared with it. Live traffic is rows of the sample that
/// neither training nor evaluation used, scored by the package's own ONNX model as the host would score them.
/// </summary>
[Collection(TrainedChurnModelCollection.Name)]
public sealed class PredictionDriftSpecs(TrainedChurnModel model) : IDisposable
{
    private const int LiveRows = 2000;
    private readonly ModelPackage _package = ModelPackage.Read(model.Definition.PackagePath);
    private readonly TempFolder _folder = new();

    [Fact]
    public void The_package_stores_the_distribution_of_its_predictions_on_the_evaluation_data()
    {
        var predictions = _package.Profile.Predictions.ShouldNotBeNull();
        predictions.Name.ShouldBe("probability");
        predictions.Kind.ShouldBe(ColumnKind.Numeric);
        predictions.Count.ShouldBe(TrainedChurnModel.EvaluationRows);
        predictions.Missing.ShouldBe(0);
        predictions.Histogram.ShouldNotBeNull().Counts.Sum().ShouldBe(TrainedChurnModel.EvaluationRows);
        predictions.Minimum.ShouldNotBeNull().ShouldBeGreaterThanOrEqualTo(0);
        predictions.Maximum.ShouldNotBeNull().ShouldBeLessThanOrEqualTo(1);
        // What evaluation measured is what was packaged.
        System.Text.Json.JsonSerializer.Serialize(model.Evaluation.Predictions).ShouldBe(System.Text.Json.JsonSerializer.Serialize(predictions));
    }

    [Fact]
    public void Two_clean_builds_store_a_byte_identical_profile_with_the_predictions()
    {
        using var again = new TrainedChurnModel();

        var first = ProfileEntry(model.Definition.PackagePath);
        var second = ProfileEntry(again.Definition.PackagePath);

        Encoding.UTF8.GetString(first).ShouldContain("\"predictions\"");
        second.ShouldBe(first);
        ModelPackage.Read(again.Definition.PackagePath).Card.Fingerprints.Model.ShouldBe(_package.Card.Fingerprints.Model);
    }

    private static byte[] ProfileEntry(string package)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(package);
        using var stream = zip.GetEntry(ModelPackage.ProfileEntry).ShouldNotBeNull().Open();
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }

    [Fact]
    public void Outputs_that_follow_the_reference_do_not_alarm()
    {
        var log = WriteLog("requests.jsonl", p => p);

        var report = DriftDetector.Analyze(_package, log, DriftOptions.Default, model.Definition.PackagePath);

        var prediction = report.Prediction.ShouldNotBeNull();
        prediction.Column.ShouldBe("probability");
        prediction.Rows.ShouldBe(LiveRows);
        prediction.Drifted.ShouldBeFalse(string.Join("; ", prediction.Reasons));
        prediction.Psi.ShouldBeLessThan(0.1);
        prediction.Ks.ShouldNotBeNull().ShouldBeLessThan(0.1);
        report.PredictionNote.ShouldBeNull();
        report.Features.Where(f => f.Drifted).ShouldBeEmpty();
        report.Drifted.ShouldBeFalse();
        report.Retrain.ShouldBeFalse();
        DriftMarkdown.Render(report).ShouldContain("Predictions (`probability`)");
    }

    [Fact]
    public void Shifted_probabilities_alarm_naming_the_prediction_and_advise_retraining()
    {
        // The inputs are unchanged: only the model's answers moved (as after a broken feature pipeline upstream).
        var log = WriteLog("requests.jsonl", p => MathF.Min(1, p + 0.25f));

        var report = DriftDetector.Analyze(_package, log, DriftOptions.Default, model.Definition.PackagePath);

        var prediction = report.Prediction.ShouldNotBeNull();
        prediction.Drifted.ShouldBeTrue();
        prediction.Psi.ShouldBeGreaterThan(0.2);
        prediction.Reasons.ShouldContain(r => r.StartsWith("PSI ", StringComparison.Ordinal));
        report.Features.Where(f => f.Drifted).ShouldBeEmpty();
        report.Drifted.ShouldBeTrue();
        report.Retrain.ShouldBeTrue();
        report.Summary.ShouldContain("predictions (probability) drifted");
        DriftMarkdown.Render(report).ShouldContain("**drifted**");
        var html = DriftHtmlReport.Render(report);
        html.ShouldContain("data-feature=\"probability\" class=\"drifted prediction\"");
    }

    [Fact]
    public void The_prediction_is_judged_under_the_every_feature_bounds()
    {
        var log = WriteLog("requests.jsonl", p => p);

        // Only the "*" item reaches the prediction: a feature's own item is not its bound.
        var strict = DriftDetector.Analyze(_package, log, DriftOptions.Default with { Thresholds = [new DriftThreshold("*", Psi: 0, KsStatistic: 1)] });
        var tenureOnly = DriftDetector.Analyze(_package, log, DriftOptions.Default with { Thresholds = [new DriftThreshold("Tenure", Psi: 0, KsStatistic: 1)] });

        strict.Prediction.ShouldNotBeNull().Thresholds.Psi.ShouldBe(0);
        tenureOnly.Prediction.ShouldNotBeNull().Thresholds.ShouldBe(DriftThresholds.Defaults);
        tenureOnly.Prediction.Drifted.ShouldBeFalse();
    }

    [Fact]
    public void The_general_reader_and_the_scanner_read_the_same_predictions()
    {
        var scanned = DriftDetector.Analyze(_package, WriteLog("scanned.jsonl", p => p + 0.1f), DriftOptions.Default);
        // An escape in the request id sends every line to Utf8JsonReader.
        var read = DriftDetector.Analyze(_package, WriteLog("read.jsonl", p => p + 0.1f, requestId: "r\\u0031"), DriftOptions.Default);

        var scannedPrediction = scanned.Prediction.ShouldNotBeNull();
        var readPrediction = read.Prediction.ShouldNotBeNull();
        readPrediction.Rows.ShouldBe(scannedPrediction.Rows);
        readPrediction.Psi.ShouldBe(scannedPrediction.Psi);
        readPrediction.Bins.Live.ShouldBe(scannedPrediction.Bins.Live);
        readPrediction.OutOfRangeShare.ShouldBe(scannedPrediction.OutOfRangeShare);
    }

    [Fact]
    public void Lines_without_the_prediction_are_not_counted_as_missing_ones()
    {
        var log = WriteLog("requests.jsonl", p => p, outputs: false);

        var report = DriftDetector.Analyze(_package, log, DriftOptions.Default);

        report.RowsRead.ShouldBe(LiveRows);
        report.Prediction.ShouldBeNull();
        report.PredictionNote.ShouldBe("no predictions in the input");
        report.Drifted.ShouldBeFalse();
    }

    [Fact]
    public void A_csv_has_no_predictions_and_the_report_says_so()
    {
        var csv = _folder.WriteLines("live.csv", File.ReadLines(Path.Combine(ChurnSample.DataFolder, "train.csv")).Take(1).Concat(LiveLines()));

        var report = DriftDetector.Analyze(_package, csv, DriftOptions.Default);

        report.Prediction.ShouldBeNull();
        report.PredictionNote.ShouldBe("no predictions in the input");
        report.Summary.ShouldContain("no predictions in the input");
        DriftMarkdown.Render(report).ShouldContain("Predictions: no predictions in the input.");
        DriftHtmlReport.Render(report).ShouldContain("Predictions: no predictions in the input.");
    }

    [Fact]
    public void A_package_without_the_prediction_reference_reads_as_before()
    {
        var older = new ModelPackage(_package.Card, _package.Onnx, _package.Profile with { Predictions = null });
        var path = _folder.PathOf("older.mlpkg");
        older.Write(path);
        var log = WriteLog("requests.jsonl", p => MathF.Min(1, p + 0.25f));

        var report = DriftDetector.Analyze(ModelPackage.Read(path), log, DriftOptions.Default, path);

        report.Prediction.ShouldBeNull();
        report.PredictionNote.ShouldNotBeNull().ShouldContain("no prediction reference");
        report.Drifted.ShouldBeFalse();
        report.Diagnostics.ShouldBeEmpty();
    }

    /// <summary>Rows 1501–3500 of the sample's train.csv: after the 1,500 the model trained on.</summary>
    private static IEnumerable<string> LiveLines() =>
        File.ReadLines(Path.Combine(ChurnSample.DataFolder, "train.csv")).Skip(1 + TrainedChurnModel.TrainingRows).Take(LiveRows);

    /// <summary>The live rows scored by the package's model, logged in the host's shape with the probability changed by <paramref name="shift"/>.</summary>
    private string WriteLog(string name, Func<float, float> shift, string requestId = "r", bool outputs = true)
    {
        var csv = _folder.WriteLines(name + ".csv", File.ReadLines(Path.Combine(ChurnSample.DataFolder, "train.csv")).Take(1).Concat(LiveLines()));
        var table = DataTable.Load([csv], model.Validation.Schema);
        using var scorer = OnnxScorer.Load(model.Workspace.ModelPath);
        var probability = scorer.Score(table)["Probability"].Floats!;
        var text = new StringBuilder();
        var start = new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);
        for (var row = 0; row < table.RowCount; row++)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{{\"timestamp\":\"{start.AddSeconds(row):O}\",\"requestId\":\"{requestId}{row}\",\"model\":\"churn\",\"version\":\"2.1.0\",\"fingerprint\":\"xxh128:0\",\"row\":0,\"inputs\":{{");
            for (var i = 0; i < table.Features.Count; i++)
            {
                var column = table.Features[i];
                text.Append(i > 0 ? "," : "").Append('"').Append(column.Name).Append("\":");
                if (column is NumericColumn numeric)
                    text.Append(float.IsNaN(numeric.Values[row]) ? "null" : numeric.Values[row].ToString("R", CultureInfo.InvariantCulture));
                else
                    text.Append('"').Append(((TextColumn)column).Values[row]).Append('"');
            }
            text.Append('}');
            if (outputs)
            {
                var p = shift(probability[row]);
                text.Append(CultureInfo.InvariantCulture, $",\"outputs\":{{\"predictedLabel\":\"{(p > 0.5f ? "Yes" : "No")}\",\"probability\":{p.ToString("R", CultureInfo.InvariantCulture)},\"score\":0.5}}");
            }
            text.Append("}\n");
        }
        return _folder.Write(name, text.ToString());
    }

    public void Dispose() => _folder.Dispose();
}
