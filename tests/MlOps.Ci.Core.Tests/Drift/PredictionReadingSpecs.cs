using System.Text;
using MlOps.Ci.Data;
using MlOps.Ci.Drift;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Core.Tests.Drift;

/// <summary>
/// Reading the prediction from a log line's "outputs" (both reading paths, allocation per line) and the reference each
/// task stores, on small fixed inputs.
/// </summary>
public sealed class PredictionReadingSpecs
{
    private static readonly List<DriftRow> TrainingRows = DriftFixture.Sample(2000, seed: 1);
    private static readonly ColumnProfile Probability =
        DataProfiler.ProfileColumn(new NumericColumn("probability", ColumnKind.Numeric, Enumerable.Range(0, 100).Select(i => i / 100f).ToArray()));
    private static readonly ColumnProfile PredictedClass =
        DataProfiler.ProfileColumn(new TextColumn("predictedLabel", [.. Enumerable.Repeat("Gold", 30), .. Enumerable.Repeat("Silver", 70)]));

    private static (LiveDataRead Read, RequestLogReader Reader, LiveColumns Columns) ReadLog(DriftFixture fixture, string text, ColumnProfile prediction)
    {
        var profile = fixture.Package.Profile;
        ColumnProfile Column(string name) => profile.Columns.Single(c => c.Name == name);
        var columns = new LiveColumns(
            [new NumericLiveColumn(Column("Tenure"), Column("Tenure").Histogram!), new NumericLiveColumn(Column("Senior"), Column("Senior").Histogram!)],
            [new CategoricalLiveColumn(Column("Contract"), Column("Contract").TopCategories!)],
            prediction.Histogram is { } histogram ? new NumericLiveColumn(prediction, histogram) : null,
            prediction.TopCategories is { } classes ? new CategoricalLiveColumn(prediction, classes) : null);
        var reader = new RequestLogReader(columns, DriftFixture.Model, DriftFixture.Version, includeOtherVersions: false);
        var read = reader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), 4096);
        return (read, reader, columns);
    }

    private static string Line(string outputs, string requestId = "r1") =>
        $"{{\"timestamp\":\"2026-11-27T08:00:00.0000000+00:00\",\"requestId\":\"{requestId}\",\"model\":\"churn\",\"version\":\"1.2.0\",\"fingerprint\":\"x\",\"row\":0," +
        $"\"inputs\":{{\"Tenure\":10,\"Contract\":\"One year\",\"Senior\":0}},\"outputs\":{outputs}}}\n";

    [Theory]
    [InlineData("r1")]
    [InlineData("r\\u0031")] // an escape: the line goes to Utf8JsonReader
    public void The_probability_is_read_from_the_outputs_on_both_paths(string requestId)
    {
        using var fixture = new DriftFixture(TrainingRows);
        var text = Line("{\"predictedLabel\":\"No\",\"probability\":0.25,\"score\":-1.1}", requestId)
                   + Line("{\"predictedLabel\":\"Yes\",\"score\":2,\"probability\":0.75}", requestId)
                   + Line("{\"probability\":null}", requestId)
                   + Line("{}", requestId)
                   + Line("null", requestId);

        var (read, reader, columns) = ReadLog(fixture, text, Probability);

        read.RowsRead.ShouldBe(5);
        reader.ScannedLines.ShouldBe(requestId == "r1" ? 5 : 0);
        var prediction = columns.NumericPrediction.ShouldNotBeNull();
        prediction.Present.ShouldBe(2);
        prediction.Sum.ShouldBe(1.0, 1e-6);
        // An explicit null is a missing prediction; outputs without it (or none) are not counted at all.
        prediction.Missing.ShouldBe(1);
        columns.Numeric[0].Present.ShouldBe(5);
    }

    [Theory]
    [InlineData("r1")]
    [InlineData("r\\u0031")]
    public void A_predicted_class_is_counted_per_reference_class_on_both_paths(string requestId)
    {
        using var fixture = new DriftFixture(TrainingRows);
        var text = Line("{\"predictedLabel\":\"Gold\",\"scores\":{\"Gold\":0.7,\"Silver\":0.3}}", requestId)
                   + Line("{\"predictedLabel\":\"Silver\",\"scores\":{\"Gold\":0.2,\"Silver\":0.8}}", requestId)
                   + Line("{\"predictedLabel\":\"Bronze\"}", requestId);

        var (read, _, columns) = ReadLog(fixture, text, PredictedClass);

        read.RowsRead.ShouldBe(3);
        var prediction = columns.CategoricalPrediction.ShouldNotBeNull();
        prediction.Categories.Select(c => c.Value).ShouldBe(["Silver", "Gold"]);
        prediction.Counts.ShouldBe([1L, 1L, 1L]);
        prediction.UnseenExamples.ShouldBe(["Bronze"]);
        // The features' categorical column is untouched by the prediction's.
        columns.Categorical.Single().Present.ShouldBe(3);
    }

    [Theory]
    [InlineData("{\"probability\":0.3,}")]
    [InlineData("{\"probability\":.3}")]
    [InlineData("{\"probability\":0.3")]
    public void Malformed_outputs_make_the_line_invalid_on_both_paths(string outputs)
    {
        using var fixture = new DriftFixture(TrainingRows);

        var (read, _, columns) = ReadLog(fixture, Line(outputs), Probability);

        read.RowsRead.ShouldBe(0);
        read.LinesInvalid.ShouldBe(1);
        columns.NumericPrediction.ShouldNotBeNull().Present.ShouldBe(0);
    }

    [Fact]
    public void Reading_the_prediction_allocates_nothing_per_line()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var line = Line("{\"predictedLabel\":\"No\",\"probability\":0.25,\"score\":-1.1}");
        ReadLog(fixture, line, Probability);

        long Allocated(int lines)
        {
            var text = string.Concat(Enumerable.Repeat(line, lines));
            var profile = fixture.Package.Profile;
            ColumnProfile Column(string name) => profile.Columns.Single(c => c.Name == name);
            var columns = new LiveColumns(
                [new NumericLiveColumn(Column("Tenure"), Column("Tenure").Histogram!), new NumericLiveColumn(Column("Senior"), Column("Senior").Histogram!)],
                [new CategoricalLiveColumn(Column("Contract"), Column("Contract").TopCategories!)],
                new NumericLiveColumn(Probability, Probability.Histogram!));
            var reader = new RequestLogReader(columns, DriftFixture.Model, DriftFixture.Version, includeOtherVersions: false);
            var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
            var before = GC.GetAllocatedBytesForCurrentThread();
            var read = reader.Read(stream, 4096);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            read.RowsRead.ShouldBe(lines);
            columns.NumericPrediction!.Present.ShouldBe(lines);
            return allocated;
        }

        Allocated(10);
        var few = Allocated(10);
        var many = Allocated(20_000);

        (many - few).ShouldBeLessThan(1024);
    }

    [Fact]
    public void Each_task_stores_the_prediction_the_host_logs()
    {
        var labels = new LabelClasses(["Gold", "Silver"], null);

        var binary = ModelEvaluator.PredictionProfile(ModelTask.BinaryClassification, labels, new Dictionary<string, ScoredOutput>
        {
            ["Score"] = new("Score", 1, Floats: [-1f, 2f]),
            ["Probability"] = new("Probability", 1, Floats: [0.2f, 0.9f]),
        }).ShouldNotBeNull();
        binary.Name.ShouldBe("probability");
        binary.Maximum.ShouldBe(0.9f);

        ModelEvaluator.PredictionProfile(ModelTask.BinaryClassification, labels, new Dictionary<string, ScoredOutput>
        {
            ["Score"] = new("Score", 1, Floats: [-1f, 2f]),
        }).ShouldNotBeNull().Name.ShouldBe("score");

        var regression = ModelEvaluator.PredictionProfile(ModelTask.Regression, labels, new Dictionary<string, ScoredOutput>
        {
            ["Score"] = new("Score", 1, Floats: [3f, 5f]),
        }).ShouldNotBeNull();
        regression.Name.ShouldBe("score");
        regression.Mean.ShouldBe(4);

        var byLabel = ModelEvaluator.PredictionProfile(ModelTask.MulticlassClassification, labels, new Dictionary<string, ScoredOutput>
        {
            ["PredictedLabel"] = new("PredictedLabel", 1, Strings: ["Gold", "Silver", "Silver"]),
        }).ShouldNotBeNull();
        byLabel.Name.ShouldBe("predictedLabel");
        byLabel.TopCategories.ShouldBe([new CategoryCount("Silver", 2), new CategoryCount("Gold", 1)]);

        // Without a string label: the class of the highest score, in the card's class order.
        var byScore = ModelEvaluator.PredictionProfile(ModelTask.MulticlassClassification, labels, new Dictionary<string, ScoredOutput>
        {
            ["Score"] = new("Score", 2, Floats: [0.9f, 0.1f, 0.4f, 0.6f, 0.3f, 0.7f]),
        }).ShouldNotBeNull();
        byScore.TopCategories.ShouldBe([new CategoryCount("Silver", 2), new CategoryCount("Gold", 1)]);

        ModelEvaluator.PredictionProfile(ModelTask.Regression, labels, new Dictionary<string, ScoredOutput>()).ShouldBeNull();
    }
}
