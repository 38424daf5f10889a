using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using MlOps.Ci.Serving.Model;
using MlOps.Ci.Serving.Protocol;

namespace MlOps.Ci.Serving.Hosting;

/// <summary>
/// The Open Inference Protocol's health and metadata endpoints. Health answers carry no body (the status is the
/// answer); the host is ready once the model is loaded, which happens before it listens, and stops being ready when
/// shutdown begins so a load balancer drains it.
/// </summary>
internal sealed class MetadataEndpoints(ServedModel model, IHostApplicationLifetime lifetime)
{
    private readonly byte[] _server = MetadataWriter.Server();
    private readonly byte[] _model = MetadataWriter.Model(model);

    private bool Ready => !lifetime.ApplicationStopping.IsCancellationRequested;

    public Task LiveAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        return Task.CompletedTask;
    }

    public Task ReadyAsync(HttpContext context)
    {
        context.Response.StatusCode = Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        return Task.CompletedTask;
    }

    public Task ServerMetadataAsync(HttpContext context) => JsonResponse.WriteAsync(context, StatusCodes.Status200OK, _server);

    public Task ModelMetadataAsync(HttpContext context) => ModelRoute.Mismatch(context, model) is { } notFound
        ? ErrorResponse.WriteAsync(context, StatusCodes.Status404NotFound, notFound)
        : JsonResponse.WriteAsync(context, StatusCodes.Status200OK, _model);

    public Task ModelReadyAsync(HttpContext context)
    {
        if (ModelRoute.Mismatch(context, model) is { } notFound)
            return ErrorResponse.WriteAsync(context, StatusCodes.Status404NotFound, notFound);
        return ReadyAsync(context);
    }
}
