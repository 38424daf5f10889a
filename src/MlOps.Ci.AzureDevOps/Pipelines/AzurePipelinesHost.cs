using MlOps.Ci.Automation;
using MlOps.Ci.AzureDevOps.Repos;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;

namespace MlOps.Ci.AzureDevOps.Pipelines;

/// <summary>
/// Azure Pipelines as the CI host: diagnostics become <c>task.logissue</c> (shown on the run's summary and, for files
/// in the repository, on the file), step outputs <c>task.setvariable …;isOutput=true</c> under camelCase names,
/// secrets <c>task.setsecret</c>, the markdown summary an uploaded summary section, and the result <c>task.complete</c>.
/// Commands are written to <paramref name="log"/> (stdout, or stderr under --json): the agent reads both.
/// </summary>
public sealed class AzurePipelinesHost(IReadOnlyDictionary<string, string> environment, TextWriter log) : ICiHost
{
    private readonly IReadOnlyDictionary<string, string> _environment = environment ?? throw new ArgumentNullException(nameof(environment));
    private readonly TextWriter _log = log ?? throw new ArgumentNullException(nameof(log));

    /// <summary>The factory the CLI registers: this host when <c>TF_BUILD</c> is set, else null.</summary>
    public static ICiHost? Detect(IReadOnlyDictionary<string, string> environment, TextWriter log) =>
        AzurePipelinesEnvironment.IsPresent(environment) ? new AzurePipelinesHost(environment, log) : null;

    public string Name => "azure-pipelines";

    public void Report(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        var location = diagnostic.Location;
        var message = diagnostic.Hint is null ? diagnostic.Message : $"{diagnostic.Message} {diagnostic.Hint}";
        Write(LoggingCommand.Format("task.logissue",
        [
            new("type", diagnostic.Severity == DiagnosticSeverity.Error ? "error" : "warning"),
            new("sourcepath", location is null ? null : SourcePath(location.File)),
            new("linenumber", location is { Line: > 0 } ? location.Line.ToString(System.Globalization.CultureInfo.InvariantCulture) : null),
            new("columnnumber", location is { Line: > 0, Column: > 0 } ? location.Column.ToString(System.Globalization.CultureInfo.InvariantCulture) : null),
            new("code", diagnostic.Code),
        ], message));
    }

    public void SetOutput(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        Write(LoggingCommand.Format("task.setvariable", [new("variable", OutputVariableNames.Of(name)), new("isOutput", "true")], value));
    }

    public void MaskSecret(string value)
    {
        if (string.IsNullOrEmpty(value))
            return;
        Write(LoggingCommand.Format("task.setsecret", value));
        // The agent masks what it is given as a whole; a secret spanning lines (a PEM key) is also masked line by
        // line, since the log is written, and searched for secrets, one line at a time.
        foreach (var line in value.Split('\n', '\r').Where(line => line.Length > 0 && line != value))
            Write(LoggingCommand.Format("task.setsecret", line));
    }

    /// <summary>
    /// Writes the markdown to its own file under the agent's temp folder (cleaned after every job) and uploads it:
    /// each call becomes one section of the run's Extensions/summary tab, named after the file.
    /// </summary>
    public void AppendSummary(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var root = AzurePipelinesEnvironment.Value(_environment, AzurePipelinesEnvironment.AgentTempDirectory) ?? Path.GetTempPath();
        var path = Path.Combine(root, "mlops", Guid.NewGuid().ToString("N")[..12], "MLOps summary.md");
        try
        {
            AtomicFile.WriteAllText(path, markdown);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new MlOpsException(Diagnostic.Error(DiagnosticCodes.AzurePipelinesSummaryNotWritten,
                $"Could not write the run summary to {path}: {exception.Message}", null,
                $"Check that {AzurePipelinesEnvironment.AgentTempDirectory} names a writable folder."), exception);
        }
        Write(LoggingCommand.Format("task.uploadsummary", path));
    }

    public void Complete(bool succeeded, string message) =>
        Write(LoggingCommand.Format("task.complete", [new("result", succeeded ? "Succeeded" : "Failed")], message ?? ""));

    public IPullRequestPublisher? PullRequest(out string reason) =>
        AzureReposPullRequest.FromEnvironment(_environment, out reason) is { } pullRequest ? new AzureReposPullRequestPublisher(pullRequest) : null;

    /// <summary>
    /// The agent links an issue to a file by its path in the repository: paths under BUILD_SOURCESDIRECTORY are made
    /// relative to it (with forward slashes, as the web UI shows them); others stay as they are.
    /// </summary>
    private string SourcePath(string file)
    {
        if (AzurePipelinesEnvironment.Value(_environment, AzurePipelinesEnvironment.SourcesDirectory) is not { } sources || !Path.IsPathFullyQualified(file))
            return file;
        var relative = Path.GetRelativePath(Path.GetFullPath(sources), Path.GetFullPath(file));
        return relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathFullyQualified(relative)
            ? file
            : relative.Replace('\\', '/');
    }

    private void Write(string command)
    {
        _log.WriteLine(command);
        _log.Flush();
    }
}
