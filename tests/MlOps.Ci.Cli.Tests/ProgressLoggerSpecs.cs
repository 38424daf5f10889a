using Microsoft.Extensions.Logging;
using MlOps.Ci.Cli.Progress;

namespace MlOps.Ci.Cli.Tests;

/// <summary>The image build narrates its Dockerfile steps through ILogger; those lines drive the progress.</summary>
public sealed class ProgressLoggerSpecs
{
    [Fact]
    public void A_build_step_line_moves_the_progress_to_that_step_and_other_lines_do_not()
    {
        var writer = new StringWriter { NewLine = "\n" };
        var clock = TimeSpan.Zero;
        // Each report comes a full interval after the last, so every one of them is written.
        var progress = new PlainProgress("Building image", ProgressUnit.Steps, writer, () => clock += PlainProgress.Interval);
        var logger = new ProgressLogger(new ConsoleLogger(verbose: false, json: true), progress, ProgressStyle.Plain);

        logger.LogInformation("Building {Image} from {BaseImage}.", "churn:1.0.0", "aspnet:10.0");
        logger.LogInformation("{Operation}: {Step}", "build", "Step 3/12 : COPY app /app");
        logger.LogInformation("{Operation}: {Step}", "build", "Step 12/12 : HEALTHCHECK CMD probe");

        writer.ToString().ShouldBe("Building image: 25%, step 3 of 12\nBuilding image: 100%, step 12 of 12\n");
    }
}
