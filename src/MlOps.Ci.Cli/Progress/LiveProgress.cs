using Spectre.Console;

namespace MlOps.Ci.Cli.Progress;

/// <summary>A Spectre.Console progress task: a bar while the whole is known, a moving one while it is not.</summary>
internal sealed class LiveProgress(ProgressTask task, IAnsiConsole console) : IProgressReport
{
    private readonly string _description = task.Description;

    public void Report(double value, double maxValue, string? status = null)
    {
        task.IsIndeterminate = maxValue <= 0;
        if (maxValue > 0)
        {
            task.MaxValue = maxValue;
            task.Value = Math.Min(value, maxValue);
        }
        task.Description = status is null ? _description : $"{_description} [grey]{Markup.Escape(status)}[/]";
    }

    // Through Spectre, so the line lands above the live bars instead of through them.
    public void WriteLine(string text) => console.WriteLine(text);
}
