using System.CommandLine;
using MlOps.Ci.Runtime;
using MlOps.Ci.Serving;

namespace MlOps.Ci.Cli.Commands;

/// <summary><c>mlops serve</c>: the serving host (Open Inference Protocol v2 and /predict) over one model package.</summary>
internal static class ServeCommand
{
    public static Command Create(GlobalOptions global)
    {
        var package = EnvironmentDefaults.PackageOption("The model package to serve");
        var urls = new Option<string>("--urls") { Description = "Where to listen (';'-separated).", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var name = new Option<string?>("--model-name") { Description = "The name to serve the model under (default: the model card's)." };
        var provider = new Option<ExecutionProvider>("--execution-provider")
        {
            Description = "Cpu, Cuda (warns and serves on CPU when CUDA cannot load), Auto or CudaRequired (refuses to start without CUDA). CUDA needs --ort-flavor Gpu.",
            DefaultValueFactory = _ => ExecutionProvider.Auto,
        };
        var requestLog = new Option<string?>("--request-log")
        {
            Description = $"JSON-lines log of scored rows for drift detection (default: {ServingOptions.DefaultRequestLogPath}; empty turns it off).",
            DefaultValueFactory = _ => ServingOptions.DefaultRequestLogPath,
        };
        var sampleRate = new Option<double>("--request-log-sample-rate") { Description = "Share of requests logged, 0 to 1.", DefaultValueFactory = _ => 1.0 };
        var driftWindow = new Option<int>("--drift-window")
        {
            Description = "Scored rows in the rolling window behind /metrics' mlops_feature_drift_psi (0 turns it off).",
            DefaultValueFactory = _ => 10_000,
        };
        var serve = new Command("serve", "Serve a model package over HTTP: Open Inference Protocol v2, POST /predict, /metrics.")
        {
            package, urls, name, provider, requestLog, sampleRate, driftWindow,
        };
        var ort = new OrtOptions();
        ort.AddTo(serve);
        serve.SetAction(parse => CommandOutput.Run(parse.GetValue(global.Json), () =>
        {
            ort.Use(parse);
            ModelHost.Build(new ServingOptions(EnvironmentDefaults.RequirePackage(parse.GetValue(package)).FullName)
            {
                Urls = parse.GetValue(urls)!,
                ModelName = parse.GetValue(name),
                ExecutionProvider = parse.GetValue(provider),
                RequestLogPath = parse.GetValue(requestLog),
                RequestLogSampleRate = parse.GetValue(sampleRate),
                DriftWindowRows = parse.GetValue(driftWindow),
            }).Run();
            return null;
        }));
        return serve;
    }
}
