using MlOps.Ci.Testing;

namespace MlOps.Ci.AzureDevOps.Tests.Fakes;

/// <summary>
/// A fresh fake Azure DevOps per test and an agent's folder, for tests that run the real CLI as a pipeline job would.
/// Fails the test when the fake saw a request its documented contract does not allow.
/// </summary>
public abstract class FakeAzureDevOpsFixture : IAsyncLifetime
{
    protected TempFolder Agent { get; } = new();

    protected FakeAzureDevOps Azure { get; private set; } = null!;

    /// <summary>What the agent sets in every job of the fake's project, with the job's access token mapped.</summary>
    protected Dictionary<string, string> AgentJob() => new()
    {
        ["TF_BUILD"] = "True",
        ["BUILD_SOURCESDIRECTORY"] = Agent.Root,
        ["AGENT_TEMPDIRECTORY"] = Agent.PathOf("_temp"),
        ["SYSTEM_ACCESSTOKEN"] = FakeAzureDevOps.Token,
        ["SYSTEM_COLLECTIONURI"] = Azure.CollectionUri.ToString(),
        ["SYSTEM_TEAMPROJECTID"] = FakeAzureDevOps.ProjectId,
        ["SYSTEM_TEAMPROJECT"] = FakeAzureDevOps.ProjectName,
    };

    public async Task InitializeAsync() => Azure = await FakeAzureDevOps.StartAsync();

    public async Task DisposeAsync()
    {
        await Azure.DisposeAsync();
        Agent.Dispose();
        string.Join("\n", Azure.ContractViolations).ShouldBeEmpty();
    }
}
