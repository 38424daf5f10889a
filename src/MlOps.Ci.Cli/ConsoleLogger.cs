using Microsoft.Extensions.Logging;

namespace MlOps.Ci.Cli;

/// <summary>
/// Bridges Core's ILogger to the console: information to stdout (stderr when stdout carries a --json document),
/// warnings and errors to stderr. Diagnostics are already in the canonical <c>file(line,col): warning CODE: text</c>
/// form that MSBuild and CI log parsers read.
/// </summary>
internal sealed class ConsoleLogger(bool verbose, bool json = false) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= (verbose ? LogLevel.Debug : LogLevel.Information);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
            return;
        var text = formatter(state, exception);
        if (logLevel >= LogLevel.Warning || json)
            Console.Error.WriteLine(text);
        else
            Console.Out.WriteLine(text);
    }
}
