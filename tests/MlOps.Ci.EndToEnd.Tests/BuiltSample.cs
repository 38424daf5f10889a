namespace MlOps.Ci.EndToEnd.Tests;

/// <summary>The packed SDK, and the churn sample built once with it: shared by tests that only read the result.</summary>
public sealed class BuiltSample : IDisposable
{
    public BuiltSample()
    {
        Sdk = new PackedSdk();
        Project = Sdk.CopySample("churn");
        FirstBuild = Project.Build();
    }

    public PackedSdk Sdk { get; }
    public ModelProject Project { get; }
    public ProcessResult FirstBuild { get; }

    public void Dispose()
    {
        Project.Dispose();
        Sdk.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SdkCollection : ICollectionFixture<BuiltSample>
{
    public const string Name = "packed SDK";
}
