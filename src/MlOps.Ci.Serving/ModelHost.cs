using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using MlOps.Ci.Serving.Hosting;
using MlOps.Ci.Serving.Model;
using MlOps.Ci.Serving.Monitoring;
using Prometheus;

namespace MlOps.Ci.Serving;

/// <summary>
/// The serving host: a model package behind Kestrel. <see cref="Build"/> loads the package and its ONNX session (so a
/// bad package fails here, before anything listens) and returns the application; <c>Run()</c> serves until Ctrl+C or
/// SIGTERM, then lets requests in flight finish and flushes the request log.
/// </summary>
/// <remarks>
/// Endpoints: POST /predict (rows by column name); the Open Inference Protocol v2: GET /v2/health/live,
/// /v2/health/ready, GET /v2, GET /v2/models/{name}[/versions/{version}][/ready], POST
/// /v2/models/{name}[/versions/{version}]/infer; GET /metrics (Prometheus). Errors answer <c>{"error": "…"}</c>.
/// </remarks>
public static class ModelHost
{
    /// <summary>Loads the package and builds the host. Throws <see cref="Diagnostics.MlOpsException"/> when the package or its model cannot be read.</summary>
    /// <param name="options">What to serve and how.</param>
    /// <param name="logging">Where the host logs; the console when null.</param>
    public static WebApplication Build(ServingOptions options, ILoggerProvider? logging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        // The empty builder: no configuration files or ASPNETCORE_* variables can change what the options say.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = Directory.GetCurrentDirectory() });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // The host refuses bodies over MaxRequestBodyBytes itself, after reading them up to this limit (see RequestBody).
            kestrel.Limits.MaxRequestBodySize = RequestBody.DrainLimit(options.MaxRequestBodyBytes);
        });
        builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        ConfigureLogging(builder.Logging, logging);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(services => ServedModel.Load(options, services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ModelHost).FullName!)));
        builder.Services.AddSingleton(services => new ServingMetrics(services.GetRequiredService<ServedModel>()));
        builder.Services.AddSingleton<FeatureDriftMetrics>();
        // The provider's pool disposes what it does not keep (a scope holds native tensors).
        builder.Services.AddSingleton(services => new DefaultObjectPoolProvider { MaximumRetained = Environment.ProcessorCount * 8 }
            .Create(new RequestScope.Policy(services.GetRequiredService<ServedModel>())));
        builder.Services.AddSingleton<RequestLog>();
        // Registered before the server (which the builder adds last), so it stops after the server has drained.
        builder.Services.AddHostedService(services => services.GetRequiredService<RequestLog>());
        builder.Services.AddSingleton<RequestTelemetry>();
        builder.Services.AddSingleton<ScoringEndpoints>();
        builder.Services.AddSingleton<MetadataEndpoints>();

        var app = builder.Build();
        try
        {
            Map(app);
        }
        catch
        {
            ((IDisposable)app).Dispose();
            throw;
        }
        return app;
    }

    private static void Map(WebApplication app)
    {
        var services = app.Services;
        var metrics = services.GetRequiredService<ServingMetrics>();
        var telemetry = services.GetRequiredService<RequestTelemetry>();
        var scoring = services.GetRequiredService<ScoringEndpoints>();
        var metadata = services.GetRequiredService<MetadataEndpoints>();

        app.Use(telemetry.InvokeAsync);
        app.UseRouting();

        Map(app.MapPost("/predict", scoring.PredictAsync), metrics.Endpoint("predict"));
        var infer = metrics.Endpoint("infer");
        Map(app.MapPost("/v2/models/{name}/infer", scoring.InferAsync), infer);
        Map(app.MapPost("/v2/models/{name}/versions/{version}/infer", scoring.InferAsync), infer);

        Map(app.MapGet("/v2/health/live", metadata.LiveAsync), metrics.Endpoint("health_live"));
        Map(app.MapGet("/v2/health/ready", metadata.ReadyAsync), metrics.Endpoint("health_ready"));
        Map(app.MapGet("/v2", metadata.ServerMetadataAsync), metrics.Endpoint("server_metadata"));
        var modelMetadata = metrics.Endpoint("model_metadata");
        Map(app.MapGet("/v2/models/{name}", metadata.ModelMetadataAsync), modelMetadata);
        Map(app.MapGet("/v2/models/{name}/versions/{version}", metadata.ModelMetadataAsync), modelMetadata);
        var modelReady = metrics.Endpoint("model_ready");
        Map(app.MapGet("/v2/models/{name}/ready", metadata.ModelReadyAsync), modelReady);
        Map(app.MapGet("/v2/models/{name}/versions/{version}/ready", metadata.ModelReadyAsync), modelReady);

        Map(app.MapMetrics("/metrics", metrics.Registry), metrics.Endpoint("metrics"));
    }

    private static void Map(IEndpointConventionBuilder endpoint, EndpointMetrics metrics) => endpoint.WithMetadata(metrics);

    private static void ConfigureLogging(ILoggingBuilder logging, ILoggerProvider? provider)
    {
        logging.ClearProviders();
        if (provider is not null)
            logging.AddProvider(provider);
        else
            logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            });
        logging.SetMinimumLevel(LogLevel.Information);
        // ASP.NET Core logs every request at Information: far too much (and too slow) for a model server.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
    }
}
