using Microsoft.Extensions.Logging;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Runtime;
using MlOps.Ci.Serving.Tests.Support;

namespace MlOps.Ci.Serving.Tests;

/// <summary>
/// CUDA when asked for and really usable, else CPU: this machine has no GPU (and the host references the CPU build of
/// ONNX Runtime), so asking for CUDA must start the host on CPU with a warning that says why, never fail it.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class ExecutionProviderSpecs(ServingFixture fixture)
{
    [Fact]
    public async Task Asking_for_cuda_without_a_gpu_serves_on_cpu_and_says_why()
    {
        await using var host = await fixture.StartAsync(fixture.Models.Churn, options => options with { ExecutionProvider = ExecutionProvider.Cuda });

        var metadata = await host.GetJsonAsync("/v2/models/churn");
        var metrics = await host.Client.GetStringAsync("/metrics");

        metadata["parameters"]!["execution_provider"]!.GetValue<string>().ShouldBe("CPU");
        metrics.ShouldContain("execution_provider=\"CPU\"");
        var warning = host.Logs.Entries.Where(e => e.Level == LogLevel.Warning).ShouldHaveSingleItem();
        warning.Message.ShouldStartWith("warning MLOPS7006: CUDA was requested but cannot be used (");
        warning.Message.ShouldEndWith("); serving on CPU.");
        (await host.PostOkAsync("/predict", EvaluationRows.Of(fixture.Models.Churn)[0]))["predictions"]!.AsArray().Count.ShouldBe(1);
    }

    [Theory]
    [InlineData(ExecutionProvider.Auto, "CUDA is not available (")]
    [InlineData(ExecutionProvider.Cpu, "Serving on CPU, as requested.")]
    public async Task Auto_and_cpu_serve_on_cpu_without_a_warning(ExecutionProvider provider, string message)
    {
        await using var host = await fixture.StartAsync(fixture.Models.Churn, options => options with { ExecutionProvider = provider });

        var metadata = await host.GetJsonAsync("/v2/models/churn");

        metadata["parameters"]!["execution_provider"]!.GetValue<string>().ShouldBe("CPU");
        host.Logs.Entries.ShouldNotContain(e => e.Level >= LogLevel.Warning);
        host.Logs.Entries.ShouldContain(e => e.Level == LogLevel.Information && e.Message.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Requiring_cuda_without_a_gpu_refuses_to_start_and_says_why()
    {
        var exception = await Should.ThrowAsync<MlOpsException>(() =>
            fixture.StartAsync(fixture.Models.Churn, options => options with { ExecutionProvider = ExecutionProvider.CudaRequired }));

        var diagnostic = exception.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Code.ShouldBe(DiagnosticCodes.CudaRequiredUnavailable);
        diagnostic.Message.ShouldEndWith("; nothing was served.");
    }
}
