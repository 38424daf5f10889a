using Microsoft.Extensions.Logging;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Core.Tests.Support;

/// <summary>One log call: its level, its rendered message and, when one was logged, the diagnostic it carried.</summary>
public sealed record LogEntry(LogLevel Level, string Message, Diagnostic? Diagnostic);

/// <summary>An ILogger that keeps what it is told, so a test can check the warnings Core logs (they carry diagnostic codes).</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_entries)
                return [.. _entries];
        }
    }

    /// <summary>The diagnostics logged as warnings.</summary>
    public IReadOnlyList<Diagnostic> Warnings => Entries.Where(e => e.Level == LogLevel.Warning && e.Diagnostic is not null).Select(e => e.Diagnostic!).ToList();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var diagnostic = state is IEnumerable<KeyValuePair<string, object?>> values ? values.Select(v => v.Value).OfType<Diagnostic>().FirstOrDefault() : null;
        lock (_entries)
            _entries.Add(new LogEntry(logLevel, formatter(state, exception), diagnostic));
    }
}
