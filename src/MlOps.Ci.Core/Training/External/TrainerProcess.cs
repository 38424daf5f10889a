using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace MlOps.Ci.Training.External;

/// <summary>How the trainer command ended: its exit code, whether it was killed for running too long, and its last stderr lines.</summary>
public sealed record TrainerProcessResult(int ExitCode, bool TimedOut, IReadOnlyList<string> LastErrorLines, TimeSpan Elapsed);

/// <summary>
/// Runs the trainer command without a shell, streaming its output to the log line by line as it arrives (training
/// takes minutes; a user should see its progress, not a silent build), and kills the whole process tree past the timeout.
/// </summary>
public static class TrainerProcess
{
    /// <summary>How many of the last stderr lines a failure quotes: enough for a Python traceback's end.</summary>
    public const int ErrorLinesKept = 12;

    /// <exception cref="Win32Exception">The program cannot be started (not found, not executable).</exception>
    public static TrainerProcessResult Run(IReadOnlyList<string> command, string workingDirectory, TimeSpan timeout, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfZero(command.Count);
        var start = new ProcessStartInfo(command[0])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
            start.ArgumentList.Add(argument);
        // Python buffers a piped stdout until exit; unbuffered, its progress reaches the log while it trains.
        start.Environment["PYTHONUNBUFFERED"] = "1";

        var lastErrors = new Queue<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                logger.LogInformation("trainer: {Line}", e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            // stderr is where Python logs and warns: progress, not necessarily an error, so it is logged alike.
            logger.LogInformation("trainer: {Line}", e.Data);
            lock (lastErrors)
            {
                lastErrors.Enqueue(e.Data);
                if (lastErrors.Count > ErrorLinesKept)
                    lastErrors.Dequeue();
            }
        };
        var clock = Stopwatch.StartNew();
        process.Start();
        // Nothing is ever typed in: a command that waits for input should see end-of-file, not hang the build.
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var timedOut = !process.WaitForExit(timeout);
        if (timedOut)
        {
            ProcessTree.Kill(process);
            // Bounded: a grandchild that left the tree could otherwise hold the output pipes open forever.
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        else
        {
            // The parameterless overload also waits until the last output line has been logged.
            process.WaitForExit();
        }
        lock (lastErrors)
            return new TrainerProcessResult(process.HasExited ? process.ExitCode : -1, timedOut, lastErrors.ToList(), clock.Elapsed);
    }
}
