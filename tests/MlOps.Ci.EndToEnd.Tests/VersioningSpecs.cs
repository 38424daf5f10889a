using System.Text.Json;
using Shouldly;

namespace MlOps.Ci.EndToEnd.Tests;

public sealed class VersioningFixture : IDisposable
{
    public PackedSdk Sdk { get; } = new();
    public LocalRegistry Registry { get; } = new();

    public void Dispose()
    {
        Registry.Dispose();
        Sdk.Dispose();
    }
}

/// <summary>Data, model settings and environment as build inputs: the lock file, status, and the model caches.</summary>
public sealed class VersioningSpecs(VersioningFixture fixture) : IClassFixture<VersioningFixture>
{
    [Fact]
    public void Changing_one_byte_of_data_is_named_by_status_and_retrains_and_reverting_restores_the_cached_model()
    {
        using var project = fixture.Sdk.CopySample("churn");
        project.Build().ExitCode.ShouldBe(0);
        var original = File.ReadAllBytes(Path.Combine(project.Folder, "data/train.csv"));
        var originalModel = File.ReadAllBytes(project.ModelPath);

        project.SetCell("data/train.csv", line: 2, column: 2, value: "5");
        var status = project.Build("-t:ModelStatus", "-p:MlOpsStatusJson=true");
        var changed = project.Build();
        File.WriteAllBytes(Path.Combine(project.Folder, "data/train.csv"), original);
        var reverted = project.Build();

        status.ExitCode.ShouldBe(0, status.ToString());
        var report = JsonDocument.Parse(status.Output[status.Output.IndexOf('{')..(status.Output.LastIndexOf('}') + 1)]).RootElement;
        report.GetProperty("upToDate").GetBoolean().ShouldBeFalse();
        var change = report.GetProperty("changes").EnumerateArray().ShouldHaveSingleItem();
        change.GetProperty("input").GetString().ShouldBe("data/train.csv");
        change.GetProperty("kind").GetString().ShouldBe("modified");
        report.GetProperty("nextBuild").GetString()!.ShouldStartWith("train");

        changed.ExitCode.ShouldBe(0, changed.ToString());
        changed.Output.ShouldContain("Trained FastTree");

        reverted.ExitCode.ShouldBe(0, reverted.ToString());
        reverted.Output.ShouldNotContain("Trained FastTree");
        reverted.Output.ShouldContain("from the local cache");
        reverted.Output.ShouldContain("training skipped");
        File.ReadAllBytes(project.ModelPath).ShouldBe(originalModel);
    }

    [Fact]
    public void Locked_mode_fails_when_data_changed_without_the_lock_being_updated()
    {
        using var project = fixture.Sdk.CopySample("churn");
        project.Build().ExitCode.ShouldBe(0);
        var lockText = File.ReadAllText(project.LockFilePath);
        var upToDate = project.Build("-p:MlOpsLockMode=Locked");

        project.SetCell("data/train.csv", line: 3, column: 3, value: "41.00");
        var locked = project.Build("-p:MlOpsLockMode=Locked");

        upToDate.ExitCode.ShouldBe(0, upToDate.ToString());
        locked.ExitCode.ShouldNotBe(0);
        locked.Output.ShouldContain("mlops.lock.json : error MLOPS6001: Input does not match the lock file: data/train.csv (training data) changed");
        File.ReadAllText(project.LockFilePath).ShouldBe(lockText);
        locked.Output.ShouldNotContain("Trained FastTree");
    }

    [RegistryFact]
    public void A_second_clone_with_an_empty_local_cache_gets_the_model_from_the_remote_cache_without_training()
    {
        var remote = new Dictionary<string, string?> { ["MLOPS_REMOTE_CACHE"] = fixture.Registry.Reference("team/mlops-cache") };
        using var first = fixture.Sdk.CopySample("churn");
        using var second = fixture.Sdk.CopySample("churn");
        var secondCache = Directory.CreateTempSubdirectory("mlops-e2e-second-cache-").FullName;

        var cold = first.BuildWith(remote);
        File.Copy(first.LockFilePath, second.LockFilePath, overwrite: true);
        var warm = second.BuildWith(new Dictionary<string, string?>(remote) { ["MLOPS_CACHE_DIR"] = secondCache }, "-p:MlOpsLockMode=Locked");

        cold.ExitCode.ShouldBe(0, cold.ToString());
        cold.Output.ShouldContain("Trained FastTree");
        cold.Output.ShouldContain("Stored the model in the remote cache");
        warm.ExitCode.ShouldBe(0, warm.ToString());
        warm.Output.ShouldNotContain("Trained FastTree");
        warm.Output.ShouldContain($"from the remote cache (oci://127.0.0.1:{fixture.Registry.Port}/team/mlops-cache); training skipped");
        File.ReadAllBytes(second.ModelPath).ShouldBe(File.ReadAllBytes(first.ModelPath));
        Directory.Delete(secondCache, recursive: true);
    }
}
