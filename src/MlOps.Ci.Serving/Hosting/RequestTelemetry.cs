using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MlOps.Ci.Serving.Monitoring;
using MlOps.Ci.Serving.Protocol;

namespace MlOps.Ci.Serving.Hosting;

/// <summary>
/// The outermost step of every request: gives it an id (the client's X-Request-Id, else a new one), echoes the id
/// back, counts and times it by endpoint and status, and gives the answers routing leaves bodiless (404, 405) or a
/// bug leaves unanswered (500) the <c>{"error": …}</c> body every other error has.
/// </summary>
internal sealed class RequestTelemetry(ServingMetrics metrics, ILogger<RequestTelemetry> logger)
{
    public const string RequestIdHeader = "X-Request-Id";
    private const int MaxRequestIdLength = 128;

    private readonly EndpointMetrics _unmatched = metrics.Endpoint("unmatched");

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = RequestId(context.Request);
        context.TraceIdentifier = requestId;
        context.Response.Headers[RequestIdHeader] = requestId;
        try
        {
            await next(context);
            if (!context.Response.HasStarted && context.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed
                && context.Response.ContentLength is null)
            {
                await ErrorResponse.WriteAsync(context, context.Response.StatusCode, Unrouted(context));
            }
        }
        catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            logger.LogError(exception, "Request {RequestId} ({Method} {Path}) failed.", requestId, context.Request.Method, context.Request.Path.Value);
            if (!context.Response.HasStarted)
                await ErrorResponse.WriteAsync(context, StatusCodes.Status500InternalServerError, $"The host failed to answer: {exception.Message}");
        }
        catch (Exception)
        {
            // The client went away; there is no one to answer.
        }
        var endpoint = context.GetEndpoint()?.Metadata.GetMetadata<EndpointMetrics>() ?? _unmatched;
        endpoint.Record(context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private static string RequestId(HttpRequest request)
    {
        var given = request.Headers[RequestIdHeader];
        if (given.Count == 1 && given[0] is { Length: > 0 and <= MaxRequestIdLength } id)
            return id;
        return Guid.NewGuid().ToString("N");
    }

    private static string Unrouted(HttpContext context)
    {
        var request = context.Request;
        if (context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed)
        {
            var allowed = context.Response.Headers.Allow.ToString();
            return $"{request.Method} is not allowed on {request.Path.Value}{(allowed.Length > 0 ? $"; use {allowed}" : "")}.";
        }
        return $"Nothing is served at {request.Method} {request.Path.Value}. Try POST /predict, POST /v2/models/{{name}}/infer, GET /v2/models/{{name}}, GET /v2/health/ready or GET /metrics.";
    }
}
