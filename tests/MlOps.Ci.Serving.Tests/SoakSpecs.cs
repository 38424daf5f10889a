using System.Diagnostics;
using System.Net.Http.Json;
using MlOps.Ci.Testing;

namespace MlOps.Ci.Serving.Tests;

/// <summary>
/// Issue 4's soak: the real <c>mlops serve</c> (its own process) under a minute of single-row /predict requests from as
/// many concurrent clients as keep both cores busy. No answer may be a 5xx, and the host's resident memory after the
/// first 10 s (warm-up: JIT, pools, GC budget) may grow by at most 10% — the bound README states.
/// </summary>
public sealed class SoakSpecs(ChurnPackages packages) : IClassFixture<ChurnPackages>, IDisposable
{
    private const int Clients = 16;
    private static readonly TimeSpan Length = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);
    private const double AllowedGrowth = 0.10;

    private readonly TempFolder _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task A_minute_of_load_gets_no_5xx_and_the_hosts_memory_stays_within_its_bound()
    {
        var rows = ChurnPackages.HeldOutRows().Take(200).ToArray();
        await using var host = await ServingProcess.StartAsync(packages.Baseline, _work.PathOf("requests.jsonl"));
        var statuses = new int[600];
        long afterWarmUp = 0;
        var clock = Stopwatch.StartNew();

        var clients = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            for (var i = client; clock.Elapsed < Length; i += Clients)
            {
                using var response = await host.Client.PostAsJsonAsync("predict", new { rows = new[] { rows[i % rows.Length] } });
                Interlocked.Increment(ref statuses[(int)response.StatusCode]);
            }
        })).ToList();
        await Task.Delay(WarmUp);
        afterWarmUp = host.ResidentBytes();
        await Task.WhenAll(clients);
        var atEnd = host.ResidentBytes();

        statuses.Skip(500).Sum().ShouldBe(0, "no 5xx answer");
        statuses[200].ShouldBe(statuses.Sum(), "every request answered 200");
        statuses[200].ShouldBeGreaterThan(1000);
        ((double)atEnd / afterWarmUp).ShouldBeLessThanOrEqualTo(1 + AllowedGrowth,
            $"resident memory {afterWarmUp / 1_048_576} MiB after warm-up, {atEnd / 1_048_576} MiB at the end");
        (await host.StopAsync()).ExitCode.ShouldBe(0);
    }
}
