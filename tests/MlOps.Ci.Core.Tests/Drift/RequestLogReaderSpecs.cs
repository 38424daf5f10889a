using System.Text;
using MlOps.Ci.Drift;

namespace MlOps.Ci.Core.Tests.Drift;

public sealed class RequestLogReaderSpecs
{
    private static readonly List<DriftRow> TrainingRows = DriftFixture.Sample(2000, seed: 1);

    private static (LiveDataRead Read, RequestLogReader Reader, LiveColumns Columns) ReadLog(DriftFixture fixture, string text)
    {
        var profile = fixture.Package.Profile;
        var columns = new LiveColumns(
            [new NumericLiveColumn(profile.Columns.Single(c => c.Name == "Tenure"), profile.Columns.Single(c => c.Name == "Tenure").Histogram!),
             new NumericLiveColumn(profile.Columns.Single(c => c.Name == "Senior"), profile.Columns.Single(c => c.Name == "Senior").Histogram!)],
            [new CategoricalLiveColumn(profile.Columns.Single(c => c.Name == "Contract"), profile.Columns.Single(c => c.Name == "Contract").TopCategories!)]);
        var reader = new RequestLogReader(columns, DriftFixture.Model, DriftFixture.Version, includeOtherVersions: false);
        var read = reader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), 4096);
        return (read, reader, columns);
    }

    [Fact]
    public void The_hosts_lines_are_read_by_the_fast_scanner()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var rows = DriftFixture.Sample(100, seed: 2);

        var (read, reader, _) = ReadLog(fixture, string.Concat(rows.Select((r, i) => DriftFixture.LogLine(r, i) + "\n")));

        read.RowsRead.ShouldBe(100);
        reader.ScannedLines.ShouldBe(100);
    }

    [Theory]
    [InlineData("{\"version\":\"1.2.0\",\"inputs\":{\"Tenure\":1e1,\"Contract\":\"One\\u0020year\",\"Senior\":true}}")]
    [InlineData("{ \"inputs\" : { \"Tenure\" : 10 , \"Contract\" : \"One year\" , \"Senior\" : 1 } , \"version\" : \"1.2.0\" }")]
    [InlineData("{\"inputs\":{\"Senior\":1,\"Contract\":\"One year\",\"Tenure\":10.0,\"Extra\":[1,{\"a\":null}]},\"model\":\"churn\"}")]
    public void Lines_in_other_layouts_give_the_same_values_whichever_path_reads_them(string line)
    {
        using var fixture = new DriftFixture(TrainingRows);

        var (read, _, columns) = ReadLog(fixture, line + "\n");

        read.RowsRead.ShouldBe(1);
        columns.Numeric[0].Sum.ShouldBe(10);
        columns.Numeric[1].Sum.ShouldBe(1);
        columns.Categorical[0].Counts[columns.Categorical[0].Categories.Select(c => c.Value).ToList().IndexOf("One year")].ShouldBe(1);
    }

    [Theory]
    [InlineData("{\"inputs\":{\"Tenure\":01}}")]
    [InlineData("{\"inputs\":{\"Tenure\":1.}}")]
    [InlineData("{\"inputs\":{\"Tenure\":10}} trailing")]
    [InlineData("{\"inputs\":{\"Tenure\":10,}}")]
    [InlineData("{\"inputs\":{\"Tenure\":10}")]
    [InlineData("{\"inputs\":{\"Tenure\":tru}}")]
    [InlineData("[1,2]")]
    public void Malformed_lines_are_counted_as_invalid_on_both_paths(string line)
    {
        using var fixture = new DriftFixture(TrainingRows);

        var (read, _, _) = ReadLog(fixture, line + "\n");

        read.RowsRead.ShouldBe(0);
        read.LinesInvalid.ShouldBe(1);
    }

    [Fact]
    public void A_category_that_only_starts_like_a_training_category_is_unseen()
    {
        using var fixture = new DriftFixture(TrainingRows);

        var (read, reader, columns) = ReadLog(fixture, "{\"inputs\":{\"Tenure\":3,\"Contract\":\"One year plus\",\"Senior\":0}}\n");

        read.RowsRead.ShouldBe(1);
        reader.ScannedLines.ShouldBe(1);
        columns.Categorical[0].Counts[columns.Categorical[0].OtherIndex].ShouldBe(1);
        columns.Categorical[0].UnseenExamples.ShouldBe(["One year plus"]);
    }

    [Fact]
    public void Beyond_32_other_versions_the_rest_are_pooled_and_every_row_is_still_counted()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var row = DriftFixture.Sample(1, seed: 3)[0];
        var lines = Enumerable.Range(0, 40).SelectMany(v => new[] { DriftFixture.LogLine(row, v, version: $"0.{v}.0"), DriftFixture.LogLine(row, v, version: $"0.{v}.0") })
            .Append(DriftFixture.LogLine(row, 99));

        var (read, _, _) = ReadLog(fixture, string.Join("\n", lines) + "\n");

        read.RowsRead.ShouldBe(1);
        read.RowsSkipped.ShouldBe(80);
        read.Skipped.Count.ShouldBe(LiveDataRead.MaxSkippedVersions);
        read.Skipped[0].ShouldBe(new SkippedVersion("churn", "0.0.0", 2));
        read.Skipped[^1].ShouldBe(new SkippedVersion("(others)", "(others)", 80 - 31 * 2));
    }

    [Theory]
    [InlineData("-3.5")]
    [InlineData("0.1")]
    [InlineData("0")]
    [InlineData("16777217")]
    [InlineData("123456789.25")]
    [InlineData("0.000000000123")]
    [InlineData("1E2")]
    [InlineData("-2.5e-3")]
    public void Numbers_are_the_floats_the_general_parser_gives(string number)
    {
        using var fixture = new DriftFixture(TrainingRows);

        var (read, reader, columns) = ReadLog(fixture, $"{{\"inputs\":{{\"Tenure\":{number},\"Contract\":\"One year\",\"Senior\":0}}}}\n");

        read.RowsRead.ShouldBe(1);
        reader.ScannedLines.ShouldBe(1);
        columns.Numeric[0].Sum.ShouldBe((double)float.Parse(number, System.Globalization.CultureInfo.InvariantCulture));
    }
}
