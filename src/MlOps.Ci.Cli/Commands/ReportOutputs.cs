using MlOps.Ci.Automation;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;

namespace MlOps.Ci.Cli.Commands;

/// <summary>How the monitoring verbs (drift, feedback) hand their markdown report and findings to the user and the CI host.</summary>
internal static class ReportOutputs
{
    /// <summary>
    /// Writes the markdown to <paramref name="file"/> when one was asked for (atomically) and always to the CI run's
    /// summary, then shows each diagnostic on stderr and as the host's annotation. Returns the file's full path, or null.
    /// </summary>
    public static string? Publish(ICiHost host, string markdown, FileInfo? file, IEnumerable<Diagnostic> diagnostics)
    {
        var path = file?.FullName;
        if (path is not null)
            AtomicFile.WriteAllText(path, markdown);
        host.AppendSummary(markdown);
        foreach (var diagnostic in diagnostics)
        {
            Console.Error.WriteLine(diagnostic);
            host.Report(diagnostic);
        }
        return path;
    }
}
