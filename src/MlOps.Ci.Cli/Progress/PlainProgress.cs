using System.Globalization;

namespace MlOps.Ci.Cli.Progress;

/// <summary>
/// Progress as plain lines ("Scoring: 42% (420,000 rows)") on a writer, at most one per <see cref="Interval"/>: a CI
/// log keeps a heartbeat of long work without a line per row.
/// </summary>
internal sealed class PlainProgress(string description, ProgressUnit unit, TextWriter writer, Func<TimeSpan> elapsed) : IProgressReport
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private TimeSpan? _lastLine;

    public void Report(double value, double maxValue, string? status = null)
    {
        lock (_gate)
        {
            var now = elapsed();
            // The first line only after a full interval too: short work stays silent.
            if (now - (_lastLine ?? TimeSpan.Zero) < Interval)
                return;
            _lastLine = now;
            writer.WriteLine(Format(description, unit, value, maxValue, status));
        }
    }

    public void WriteLine(string text)
    {
        lock (_gate)
            writer.WriteLine(text);
    }

    public static string Format(string description, ProgressUnit unit, double value, double maxValue, string? status)
    {
        var amount = unit switch
        {
            ProgressUnit.Bytes => $"{value / 1e6:N1} MB" + (maxValue > 0 ? $" of {maxValue / 1e6:N1} MB" : ""),
            ProgressUnit.Steps => maxValue > 0 ? $"step {value:N0} of {maxValue:N0}" : $"step {value:N0}",
            _ => "",
        };
        var share = maxValue > 0 ? $"{Math.Min(1, value / maxValue) * 100:0}%" : "";
        var parts = new[] { share, amount, status }.Where(p => !string.IsNullOrEmpty(p));
        return string.Create(CultureInfo.InvariantCulture, $"{description}: {string.Join(", ", parts)}");
    }
}
