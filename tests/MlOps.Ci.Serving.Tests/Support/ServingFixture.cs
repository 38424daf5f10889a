namespace MlOps.Ci.Serving.Tests.Support;

/// <summary>
/// The trained models and one running host for the churn model, shared by every serving test; tests that need other
/// options start hosts of their own (a start costs well under a second).
/// </summary>
public sealed class ServingFixture : IAsyncLifetime
{
    public TrainedModels Models { get; } = new();
    public RunningHost Churn { get; private set; } = null!;
    public string ChurnRequestLog => Models.Folder.PathOf("logs/churn-requests.jsonl");

    public async Task InitializeAsync()
    {
        Churn = await RunningHost.StartAsync(new ServingOptions(Models.Churn.PackagePath) { RequestLogPath = ChurnRequestLog });
    }

    /// <summary>A host for one test, with its request log in the fixture's folder unless the options say otherwise.</summary>
    public Task<RunningHost> StartAsync(TrainedModel model, Func<ServingOptions, ServingOptions>? configure = null)
    {
        var options = new ServingOptions(model.PackagePath) { RequestLogPath = Models.Folder.PathOf($"logs/{Guid.NewGuid():N}.jsonl") };
        return RunningHost.StartAsync(configure is null ? options : configure(options));
    }

    public async Task DisposeAsync()
    {
        await Churn.DisposeAsync();
        Models.Dispose();
    }
}

/// <summary>The serving test classes share one build of the models and one churn host.</summary>
[CollectionDefinition(Name)]
public sealed class ServingCollection : ICollectionFixture<ServingFixture>
{
    public const string Name = "Serving";
}
