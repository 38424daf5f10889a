using System.Globalization;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.Packaging;
using MlOps.Ci.Scoring;
using nietras.SeparatedValues;

namespace MlOps.Ci.Core.Tests;

/// <summary>
/// <see cref="BatchScorer"/> on the trained churn model (numeric, boolean and categorical inputs, missing values): the
/// parallel, chunked scorer must give every row exactly what ONNX Runtime gives that row alone.
/// </summary>
[Collection(TrainedChurnModelCollection.Name)]
public sealed class BatchScorerSpecs(TrainedChurnModel model) : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void Scoring_in_many_small_chunks_on_several_threads_gives_each_row_the_prediction_it_gets_alone()
    {
        var output = _folder.PathOf("scored.csv");

        var result = BatchScorer.Score(new BatchScoringOptions(model.Definition.PackagePath, model.EvaluationFile, output) { ChunkRows = 7, Parallelism = 3 });

        result.Rows.ShouldBe(TrainedChurnModel.EvaluationRows);
        var scored = ReadColumns(output);
        var table = DataTable.Load([model.EvaluationFile], model.Validation.Schema);
        table.Features.OfType<TextColumn>().ShouldNotBeEmpty("the comparison must cover categorical inputs");
        using var scorer = OnnxScorer.Load(ModelPackage.Read(model.Definition.PackagePath).Onnx, "churn");
        for (var row = 0; row < table.RowCount; row++)
        {
            var alone = scorer.Score(table.Features.Select(c => RowOf(c, row)).ToList(), 1);
            scored["Score"][row].ShouldBe(Format(alone["Score"].Floats![0]), $"row {row + 1}");
            scored["Probability"][row].ShouldBe(Format(alone["Probability"].Floats![0]), $"row {row + 1}");
            scored["PredictedLabel"][row].ShouldBe(alone["PredictedLabel"].Booleans![0] ? "true" : "false", $"row {row + 1}");
        }
    }

    [Fact]
    public void The_output_is_the_input_rows_unchanged_with_the_predictions_appended_in_file_order()
    {
        var output = _folder.PathOf("scored.csv");

        BatchScorer.Score(new BatchScoringOptions(model.Definition.PackagePath, model.EvaluationFile, output) { ChunkRows = 50, Parallelism = 4 });

        var inputLines = File.ReadAllLines(model.EvaluationFile);
        var outputLines = File.ReadAllLines(output);
        outputLines.Length.ShouldBe(inputLines.Length);
        outputLines[0].ShouldBe(inputLines[0] + ",PredictedLabel,Probability,Score");
        for (var i = 1; i < inputLines.Length; i++)
            outputLines[i].ShouldStartWith(inputLines[i] + ",");
    }

    [Fact]
    public void The_output_does_not_depend_on_the_chunk_size_or_the_number_of_threads()
    {
        var one = _folder.PathOf("one.csv");
        var many = _folder.PathOf("many.csv");

        BatchScorer.Score(new BatchScoringOptions(model.Definition.PackagePath, model.EvaluationFile, one) { ChunkRows = 100_000, Parallelism = 1 });
        BatchScorer.Score(new BatchScoringOptions(model.Definition.PackagePath, model.EvaluationFile, many) { ChunkRows = 3, Parallelism = 5 });

        File.ReadAllBytes(many).ShouldBe(File.ReadAllBytes(one));
    }

    [Fact]
    public void Progress_counts_the_rows_written_up_to_all_of_them()
    {
        var reports = new List<BatchScoringProgress>();

        BatchScorer.Score(new BatchScoringOptions(model.Definition.PackagePath, model.EvaluationFile, _folder.PathOf("scored.csv")) { ChunkRows = 100, Parallelism = 2 },
            new SynchronousProgress(reports.Add));

        reports.Count.ShouldBe(10);
        reports.Select(r => r.Rows).ShouldBe(Enumerable.Range(1, 10).Select(i => i * 100L));
        reports[^1].Fraction.ShouldBe(1, tolerance: 0.01);
        reports.Select(r => r.Fraction).ShouldBeInOrder();
    }

    [Fact]
    public void A_file_without_rows_gives_its_header_alone()
    {
        var input = _folder.WriteLines("empty.csv", [File.ReadLines(model.EvaluationFile).First()]);
        var output = _folder.PathOf("scored.csv");

        var result = BatchScorer.Score(model.Definition.PackagePath, input, output);

        result.Rows.ShouldBe(0);
        File.ReadAllText(output).ShouldBe(File.ReadLines(model.EvaluationFile).First() + "\n");
    }

    [Fact]
    public void A_missing_input_column_is_named_with_the_file_and_nothing_is_written()
    {
        var lines = File.ReadLines(model.EvaluationFile).Take(20).Select(l => string.Join(',', l.Split(',').Where((_, i) => i != 4))).ToList();
        var input = _folder.WriteLines("no-contract.csv", lines);
        var output = _folder.PathOf("scored.csv");

        var failure = Should.Throw<MlOpsException>(() => BatchScorer.Score(model.Definition.PackagePath, input, output));

        var diagnostic = failure.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Code.ShouldBe(DiagnosticCodes.EvaluationColumnsDiffer);
        diagnostic.Message.ShouldContain("Contract");
        diagnostic.Location.ShouldBe(new SourceLocation(input, 1, 1));
        File.Exists(output).ShouldBeFalse();
    }

    [Fact]
    public void An_unparsable_value_far_into_the_file_is_reported_with_its_line_and_column_and_nothing_is_written()
    {
        var lines = File.ReadLines(model.EvaluationFile).ToList();
        var cells = lines[900].Split(',');
        cells[2] = "lots";
        lines[900] = string.Join(',', cells);
        var input = _folder.WriteLines("bad.csv", lines);
        var output = _folder.PathOf("scored.csv");

        var failure = Should.Throw<MlOpsException>(() =>
            BatchScorer.Score(new BatchScoringOptions(model.Definition.PackagePath, input, output) { ChunkRows = 16, Parallelism = 2 }));

        var diagnostic = failure.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Code.ShouldBe(DiagnosticCodes.UnparsableNumber);
        diagnostic.Message.ShouldContain("'lots' in column 'MonthlyCharges'");
        diagnostic.Location.ShouldBe(new SourceLocation(input, 901, 3));
        File.Exists(output).ShouldBeFalse();
        Directory.GetFiles(_folder.Root, "*.tmp").ShouldBeEmpty();
    }

    [Fact]
    public void Problems_in_different_chunks_are_all_reported_in_line_order()
    {
        var lines = File.ReadLines(model.EvaluationFile).ToList();
        lines[700] = lines[700].Replace(",No,", ",maybe,");
        lines[40] += ",extra";
        var cells = lines[300].Split(',');
        cells[1] = "two";
        lines[300] = string.Join(',', cells);
        var input = _folder.WriteLines("bad.csv", lines);

        var failure = Should.Throw<MlOpsException>(() =>
            BatchScorer.Score(new BatchScoringOptions(model.Definition.PackagePath, input, _folder.PathOf("scored.csv")) { ChunkRows = 32, Parallelism = 3 }));

        failure.Diagnostics.Select(d => (d.Code, d.Location!.Line)).ShouldBe(
            [(DiagnosticCodes.RaggedRow, 41), (DiagnosticCodes.UnparsableNumber, 301), (DiagnosticCodes.UnparsableNumber, 701)]);
        failure.Diagnostics[2].Message.ShouldContain("is not a boolean");
    }

    [Fact]
    public void A_quoted_categorical_value_holding_the_separator_is_scored_as_its_unquoted_value()
    {
        var lines = File.ReadLines(model.EvaluationFile).Take(3).ToList();
        var cells = lines[1].Split(',');
        cells[4] = "\"One year, prepaid\"";
        lines[1] = string.Join(',', cells);
        var input = _folder.WriteLines("quoted.csv", lines);
        var output = _folder.PathOf("scored.csv");

        BatchScorer.Score(model.Definition.PackagePath, input, output);

        var scored = ReadColumns(output);
        scored["Contract"][0].ShouldBe("One year, prepaid");
        File.ReadAllLines(output)[1].ShouldStartWith(lines[1] + ",");
        using var scorer = OnnxScorer.Load(ModelPackage.Read(model.Definition.PackagePath).Onnx, "churn");
        var table = DataTable.Load([input], model.Validation.Schema);
        var alone = scorer.Score(table.Features.Select(c => RowOf(c, 0)).ToList(), 1);
        ((TextColumn)table.Features.Single(c => c.Name == "Contract")).Values[0].ShouldBe("One year, prepaid");
        scored["Probability"][0].ShouldBe(Format(alone["Probability"].Floats![0]));
    }

    [Fact]
    public void Quoted_cells_and_a_semicolon_separator_are_passed_through_as_written()
    {
        var lines = File.ReadLines(model.EvaluationFile).Take(4).Select(l => l.Replace(',', ';')).ToList();
        lines[2] = lines[2].Replace("DSL", "\"DSL\"");
        var input = _folder.WriteLines("semicolons.csv", lines);
        var plain = _folder.WriteLines("plain.csv", lines.Select(l => l.Replace("\"", "")));

        BatchScorer.Score(model.Definition.PackagePath, input, _folder.PathOf("quoted-scored.csv"));
        BatchScorer.Score(model.Definition.PackagePath, plain, _folder.PathOf("plain-scored.csv"));

        var quoted = File.ReadAllLines(_folder.PathOf("quoted-scored.csv"));
        quoted[0].ShouldEndWith(";PredictedLabel;Probability;Score");
        quoted[2].ShouldStartWith(lines[2] + ";");
        quoted.Select(l => l.Replace("\"", "")).ShouldBe(File.ReadAllLines(_folder.PathOf("plain-scored.csv")));
    }

    private static TableColumn RowOf(TableColumn column, int row) => column switch
    {
        NumericColumn numbers => numbers with { Values = [numbers.Values[row]] },
        TextColumn texts => texts with { Values = [texts.Values[row]] },
        _ => throw new InvalidOperationException(column.GetType().Name),
    };

    private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static Dictionary<string, List<string>> ReadColumns(string path)
    {
        using var reader = Sep.Reader(options => options with { Unescape = true }).FromFile(path);
        var columns = reader.Header.ColNames.ToDictionary(n => n, _ => new List<string>());
        foreach (var row in reader)
        {
            foreach (var (name, values) in columns)
                values.Add(row[name].ToString());
        }
        return columns;
    }

    /// <summary>Progress<T> posts to the thread pool; the test needs every report, in order, before Score returns.</summary>
    private sealed class SynchronousProgress(Action<BatchScoringProgress> report) : IProgress<BatchScoringProgress>
    {
        public void Report(BatchScoringProgress value) => report(value);
    }

    public void Dispose() => _folder.Dispose();
}
