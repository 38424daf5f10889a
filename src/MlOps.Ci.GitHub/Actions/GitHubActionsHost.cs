using System.Text;
using System.Text.Json;
using MlOps.Ci.Automation;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.GitHub.Api;
using MlOps.Ci.GitHub.PullRequests;

namespace MlOps.Ci.GitHub.Actions;

/// <summary>
/// GitHub Actions as the CI host: diagnostics become annotations on the file and line, step outputs go to the
/// <c>$GITHUB_OUTPUT</c> file, markdown to <c>$GITHUB_STEP_SUMMARY</c>, secrets are masked with <c>::add-mask::</c>.
/// The runner reads the step's result from the exit code, so <see cref="Complete"/> writes nothing.
/// </summary>
public sealed class GitHubActionsHost : ICiHost
{
    /// <summary>GitHub rejects a step summary over 1 MiB; the report is cut well before that, with a note.</summary>
    internal const int MaxSummaryBytes = 1_000_000;

    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly TextWriter _log;
    private readonly string? _token;

    public GitHubActionsHost(IReadOnlyDictionary<string, string> environment, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(log);
        _environment = environment;
        _log = log;
        // Masked the moment it is read, before anything else can print it.
        _token = GitHubSettings.Token(environment);
        if (_token is not null)
            MaskSecret(_token);
    }

    /// <summary>The factory <c>CurrentCiHost</c> registers: a host when <c>GITHUB_ACTIONS=true</c>, else null.</summary>
    public static ICiHost? Detect(IReadOnlyDictionary<string, string> environment, TextWriter log) =>
        environment.TryGetValue("GITHUB_ACTIONS", out var actions) && actions.Equals("true", StringComparison.OrdinalIgnoreCase)
            ? new GitHubActionsHost(environment, log)
            : null;

    public string Name => "github-actions";

    public void Report(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        var command = diagnostic.Severity == DiagnosticSeverity.Error ? "error" : "warning";
        var location = diagnostic.Location;
        var properties = new List<KeyValuePair<string, string?>>
        {
            new("file", location is null ? null : WorkspaceRelative(location.File)),
            new("line", location is { Line: > 0 } ? location.Line.ToString(System.Globalization.CultureInfo.InvariantCulture) : null),
            new("col", location is { Line: > 0, Column: > 0 } ? location.Column.ToString(System.Globalization.CultureInfo.InvariantCulture) : null),
            new("title", diagnostic.Code),
        };
        var text = diagnostic.Hint is null ? diagnostic.Message : $"{diagnostic.Message} {diagnostic.Hint}";
        _log.WriteLine(WorkflowCommands.Format(command, properties, text));
    }

    public void SetOutput(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (Variable("GITHUB_OUTPUT") is not { } path)
        {
            // A runner without the file is older than 2022; set-output is retired and must not be used instead.
            _log.WriteLine(WorkflowCommands.Format("warning", [], $"GITHUB_OUTPUT is not set: step output {name} is not published."));
            return;
        }
        // One append per entry: the runner parses the file after the step, an entry never interleaves with another.
        File.AppendAllText(path, WorkflowCommands.OutputEntry(name, value), new UTF8Encoding(false));
    }

    public void MaskSecret(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        // The runner masks line by line: a multi-line secret is masked as each of its lines.
        foreach (var line in value.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            _log.WriteLine($"::add-mask::{WorkflowCommands.EscapeData(line)}");
    }

    public void AppendSummary(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        if (Variable("GITHUB_STEP_SUMMARY") is not { } path)
            return;
        var existing = File.Exists(path) ? new FileInfo(path).Length : 0;
        var text = markdown.EndsWith('\n') ? markdown : markdown + "\n";
        var room = MaxSummaryBytes - existing;
        if (Encoding.UTF8.GetByteCount(text) > room)
        {
            const string note = "\n\n_(cut: GitHub limits a step summary to 1 MiB; the full report is in the job log and the pull-request comment)_\n";
            var keep = (int)Math.Max(0, room - Encoding.UTF8.GetByteCount(note)) / 4; // 4 bytes bound one UTF-8 char
            text = text[..Math.Min(text.Length, keep)] + note;
        }
        File.AppendAllText(path, text, new UTF8Encoding(false));
    }

    public void Complete(bool succeeded, string message)
    {
    }

    public IPullRequestPublisher? PullRequest(out string reason)
    {
        var context = PullRequestContext.FromEnvironment(_environment, out reason);
        if (context is null)
            return null;
        if (_token is null)
        {
            reason = "no token: pass the action's github-token input (it defaults to github.token) or set GITHUB_TOKEN, with "
                     + "permissions pull-requests: write and checks: write";
            return null;
        }
        if (!GitHubSettings.TryRepository(_environment, null, out var repository))
        {
            reason = "GITHUB_REPOSITORY is not set to owner/name";
            return null;
        }
        var api = new GitHubApi(new GitHubApiOptions(repository, _token)
        {
            ApiUrl = GitHubSettings.ApiUrl(_environment, null),
            // A retry is worth a line in the job log: a slow report step then explains itself.
            RetryObserver = retry => _log.WriteLine(
                $"GitHub answered {retry.Answer} to {retry.Method} {retry.Path}; retrying in {retry.Delay.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} s"),
        });
        reason = "";
        return new GitHubPullRequestPublisher(api, context.Number, context.HeadSha);
    }

    /// <summary>Annotations need paths relative to the checkout; a path outside it stays as it is.</summary>
    private string WorkspaceRelative(string file)
    {
        if (Variable("GITHUB_WORKSPACE") is not { } workspace)
            return file.Replace('\\', '/');
        var full = Path.GetFullPath(file);
        var root = Path.GetFullPath(workspace);
        var relative = Path.GetRelativePath(root, full);
        var outside = relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative);
        return (outside ? file : relative).Replace('\\', '/');
    }

    private string? Variable(string name) =>
        _environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
}

/// <summary>The pull request a workflow run builds, read from the event payload the runner writes (GITHUB_EVENT_PATH).</summary>
public sealed record PullRequestContext(int Number, string HeadSha)
{
    public static PullRequestContext? FromEnvironment(IReadOnlyDictionary<string, string> environment, out string reason)
    {
        var eventName = environment.GetValueOrDefault("GITHUB_EVENT_NAME") ?? "";
        if (environment.GetValueOrDefault("GITHUB_EVENT_PATH") is not { Length: > 0 } path || !File.Exists(path))
        {
            reason = "GITHUB_EVENT_PATH does not name the event payload, so the pull request is unknown";
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            if (document.RootElement.TryGetProperty("pull_request", out var pullRequest)
                && pullRequest.TryGetProperty("number", out var number) && number.TryGetInt32(out var value)
                && pullRequest.TryGetProperty("head", out var head) && head.TryGetProperty("sha", out var sha)
                && sha.GetString() is { Length: > 0 } headSha)
            {
                reason = "";
                return new PullRequestContext(value, headSha);
            }
        }
        catch (JsonException exception)
        {
            reason = $"the event payload {path} is not valid JSON ({exception.Message})";
            return null;
        }
        reason = $"this run is not for a pull request (event '{eventName}'): run the report on pull_request or pull_request_target";
        return null;
    }
}
