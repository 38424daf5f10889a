using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Automation;

/// <summary>
/// The CI system the <c>mlops</c> CLI runs under, and its idiom for what a step reports: annotations on a file and
/// line, named step outputs, secrets kept out of the log, a markdown summary page and the step's result. The CLI
/// picks one at start (<see cref="CiHosts.Detect"/>): GitHub Actions when <c>GITHUB_ACTIONS=true</c>, Azure
/// Pipelines when <c>TF_BUILD</c> is set, else <see cref="PlainHost"/>, which adds nothing to the canonical output.
/// </summary>
public interface ICiHost
{
    /// <summary>A short name for logs and --json output: <c>github-actions</c>, <c>azure-pipelines</c>, <c>none</c>.</summary>
    string Name { get; }

    /// <summary>Shows a diagnostic where the CI system shows problems (an annotation on its file, line and column).</summary>
    void Report(Diagnostic diagnostic);

    /// <summary>
    /// Publishes a named output of the step. Names are kebab-case (<c>model-version</c>, <c>gate-passed</c>, …,
    /// see <see cref="StepOutputs"/>); each host maps them to its own convention.
    /// </summary>
    void SetOutput(string name, string value);

    /// <summary>Keeps a secret (a token, a password) out of every later log line.</summary>
    void MaskSecret(string value);

    /// <summary>Adds markdown to the run's summary page (a no-op where the CI system has none).</summary>
    void AppendSummary(string markdown);

    /// <summary>Says how the step ended, for CI systems that read it from the log rather than the exit code.</summary>
    void Complete(bool succeeded, string message);

    /// <summary>
    /// The pull request this run builds, ready to receive the quality report; null with <paramref name="reason"/>
    /// saying why when there is none (not a pull-request build, no token, …).
    /// </summary>
    IPullRequestPublisher? PullRequest(out string reason);
}

/// <summary>The names of the step outputs every CI host publishes (GitHub's kebab-case; hosts map them).</summary>
public static class StepOutputs
{
    public const string ModelVersion = "model-version";
    public const string Fingerprint = "fingerprint";
    public const string PackagePath = "package-path";
    public const string MetricsJson = "metrics-json";
    public const string GatePassed = "gate-passed";
    public const string Image = "image";
    public const string DeploymentId = "deployment-id";
    public const string DeploymentUrl = "deployment-url";
    public const string ReportPath = "report-path";
    public const string Drifted = "drifted";
    public const string Retrain = "retrain";
}
