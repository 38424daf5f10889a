using MlOps.Ci.Automation;

namespace MlOps.Ci.Cli;

/// <summary>
/// The CI host of this process, detected once from the environment. Workflow commands go to stdout, or to stderr
/// when stdout carries a --json document (GitHub's runner reads commands from both streams; the Azure DevOps task
/// never passes --json, so its commands stay on stdout, where the agent reads them).
/// </summary>
internal static class CurrentCiHost
{
    private static ICiHost? _host;

    /// <summary>The CI hosts the CLI knows, most specific first. Each returns null when the environment is not its own.</summary>
    private static readonly Func<IReadOnlyDictionary<string, string>, TextWriter, ICiHost?>[] Factories =
    [
        MlOps.Ci.GitHub.Actions.GitHubActionsHost.Detect,
        MlOps.Ci.AzureDevOps.Pipelines.AzurePipelinesHost.Detect,
    ];

    /// <summary>
    /// Set to <c>none</c> by a shell that reports for its children itself: <c>mlops build</c> runs the engine through
    /// MSBuild and turns the diagnostics MSBuild prints into annotations once; the engine must not add its own.
    /// </summary>
    public const string Override = "MLOPS_CI_HOST";

    public static ICiHost Get(bool json) => _host ??= Environment.GetEnvironmentVariable(Override) == "none"
        ? new PlainHost()
        : CiHosts.Detect(Factories, CiHosts.ProcessEnvironment(), json ? Console.Error : Console.Out);
}
