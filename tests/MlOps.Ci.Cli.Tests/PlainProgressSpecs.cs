using MlOps.Ci.Cli.Progress;

namespace MlOps.Ci.Cli.Tests;

/// <summary>Plain progress lines: a heartbeat at most every few seconds, never a line per update.</summary>
public sealed class PlainProgressSpecs
{
    [Fact]
    public void Updates_are_written_at_most_once_per_interval_and_short_work_stays_silent()
    {
        var clock = TimeSpan.Zero;
        var writer = new StringWriter { NewLine = "\n" };
        var progress = new PlainProgress("Scoring", ProgressUnit.Rows, writer, () => clock);

        foreach (var seconds in new[] { 0.5, 1, 4.9, 5.0, 5.1, 7, 9.9, 10.1, 10.2 })
        {
            clock = TimeSpan.FromSeconds(seconds);
            progress.Report(seconds * 10, 100, $"{seconds * 1000:0} rows");
        }

        writer.ToString().ShouldBe("Scoring: 50%, 5000 rows\nScoring: 100%, 10100 rows\n");
    }

    [Theory]
    [InlineData("Bytes", 2_500_000, 10_000_000, null, "Pushing: 25%, 2.5 MB of 10.0 MB")]
    [InlineData("Bytes", 2_500_000, 0, "oci://127.0.0.1:5000/models", "Pushing: 2.5 MB, oci://127.0.0.1:5000/models")]
    [InlineData("Steps", 3, 12, "step 4/12", "Pushing: 25%, step 3 of 12, step 4/12")]
    [InlineData("Rows", 0, 0, null, "Pushing: ")]
    public void A_line_says_the_share_done_and_the_amount_in_its_unit(string unit, double value, double maxValue, string? status, string expected) =>
        PlainProgress.Format("Pushing", Enum.Parse<ProgressUnit>(unit), value, maxValue, status).ShouldBe(expected);
}
