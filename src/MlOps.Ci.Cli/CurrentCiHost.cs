using MlOps.Ci.Automation;

namespace MlOps.Ci.Cli;

/// <summary>
/// The CI host of this process, detected once from the environment. Workflow commands go to stdout, or to stderr
/// when stdout carries a --json document (both runners read commands from either stream).
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

    public static ICiHost Get(bool json) => _host ??= CiHosts.Detect(Factories, CiHosts.ProcessEnvironment(), json ? Console.Error : Console.Out);
}
