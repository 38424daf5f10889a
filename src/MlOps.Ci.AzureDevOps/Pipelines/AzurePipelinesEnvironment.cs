using MlOps.Ci.Automation;

namespace MlOps.Ci.AzureDevOps.Pipelines;

/// <summary>
/// The predefined variables of an Azure Pipelines job that the CLI reads (the agent exports each as an environment
/// variable, upper-cased with dots as underscores). See
/// https://learn.microsoft.com/en-us/azure/devops/pipelines/build/variables.
/// </summary>
public static class AzurePipelinesEnvironment
{
    /// <summary>Set to <c>True</c> by the agent in every job.</summary>
    public const string TfBuild = "TF_BUILD";
    public const string SourcesDirectory = "BUILD_SOURCESDIRECTORY";
    public const string AgentTempDirectory = "AGENT_TEMPDIRECTORY";

    /// <summary>Only present when the job maps it: <c>env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)</c>, or a task reading System.AccessToken.</summary>
    public const string AccessToken = "SYSTEM_ACCESSTOKEN";
    public const string CollectionUri = "SYSTEM_COLLECTIONURI";
    public const string TeamProjectId = "SYSTEM_TEAMPROJECTID";
    public const string TeamProject = "SYSTEM_TEAMPROJECT";
    public const string RepositoryId = "BUILD_REPOSITORY_ID";
    public const string RepositoryName = "BUILD_REPOSITORY_NAME";
    public const string RepositoryUri = "BUILD_REPOSITORY_URI";
    public const string RepositoryProvider = "BUILD_REPOSITORY_PROVIDER";
    public const string PullRequestId = "SYSTEM_PULLREQUEST_PULLREQUESTID";
    public const string BuildId = "BUILD_BUILDID";

    /// <summary>Whether this process runs in an Azure Pipelines job: <c>TF_BUILD</c> set to anything non-empty.</summary>
    public static bool IsPresent(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return !string.IsNullOrWhiteSpace(Value(environment, TfBuild));
    }

    internal static string? Value(IReadOnlyDictionary<string, string> environment, string name) => CiHosts.Value(environment, name);
}
