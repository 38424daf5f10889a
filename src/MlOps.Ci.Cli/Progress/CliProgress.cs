using System.Diagnostics;
using Spectre.Console;

namespace MlOps.Ci.Cli.Progress;

/// <summary>
/// Runs a verb's long work with progress shown the way <see cref="ProgressPolicy"/> chose: Spectre.Console bars on
/// stdout for a person at a terminal, throttled plain lines on stderr everywhere else. Core never sees Spectre: it
/// reports through IProgress or a logger, which the verb maps to an <see cref="IProgressReport"/>.
/// </summary>
internal static class CliProgress
{
    public static T Run<T>(bool json, string description, ProgressUnit unit, Func<IProgressReport, T> work) =>
        Run(ProgressPolicy.ForThisProcess(json), description, unit, work);

    public static T Run<T>(ProgressStyle style, string description, ProgressUnit unit, Func<IProgressReport, T> work)
    {
        if (style == ProgressStyle.Plain)
        {
            var clock = Stopwatch.StartNew();
            return work(new PlainProgress(description, unit, Console.Error, () => clock.Elapsed));
        }
        var console = AnsiConsole.Console;
        return console.Progress()
            .AutoClear(true)
            .Columns(Columns(unit))
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: 1);
                task.IsIndeterminate = true;
                var result = work(new LiveProgress(task, console));
                task.StopTask();
                return result;
            });
    }

    private static ProgressColumn[] Columns(ProgressUnit unit) => unit == ProgressUnit.Bytes
        ? [new TaskDescriptionColumn(), new ProgressBarColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new SpinnerColumn()]
        : [new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn()];
}
