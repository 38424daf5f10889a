using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace MlOps.Ci.Cli.Progress;

/// <summary>
/// A logger for work that narrates its steps through ILogger (the image build logs each Dockerfile step as
/// "Step N/M : …"): the steps drive the progress bar, and messages go above the live bars instead of through them.
/// With plain progress everything goes to the usual console logger unchanged.
/// </summary>
internal sealed partial class ProgressLogger(ILogger inner, IProgressReport report, ProgressStyle style) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
            return;
        var text = formatter(state, exception);
        if (StepPattern().Match(text) is { Success: true } step)
        {
            var number = int.Parse(step.Groups[1].Value, CultureInfo.InvariantCulture);
            var count = int.Parse(step.Groups[2].Value, CultureInfo.InvariantCulture);
            // The bar stands at the step that has started; the step's own line says what it does.
            report.Report(number, count);
        }
        if (style == ProgressStyle.Live)
            report.WriteLine(text);
        else
            inner.Log(logLevel, eventId, state, exception, formatter);
    }

    [GeneratedRegex(@"Step (\d+)/(\d+) :")]
    private static partial Regex StepPattern();
}
