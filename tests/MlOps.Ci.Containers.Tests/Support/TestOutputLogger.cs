using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace MlOps.Ci.Containers.Tests.Support;

/// <summary>The library's log in the test's output, so a failing run shows what the engine did and how long it took.</summary>
public sealed class TestOutputLogger(ITestOutputHelper output) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
            return;
        try
        {
            output.WriteLine($"[{logLevel}] {formatter(state, exception)}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; a late message has nowhere to go.
        }
    }
}
