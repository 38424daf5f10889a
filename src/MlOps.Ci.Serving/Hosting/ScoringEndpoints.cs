using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;
using Microsoft.ML.OnnxRuntime;
using MlOps.Ci.Serving.Model;
using MlOps.Ci.Serving.Monitoring;
using MlOps.Ci.Serving.Protocol;

namespace MlOps.Ci.Serving.Hosting;

/// <summary>
/// POST /predict and POST /v2/models/{name}[/versions/{version}]/infer: read the body into a pooled batch, score it
/// with the shared session, log it when sampled, answer. A request the host cannot score is answered 4xx with the
/// reason; only a failure inside ONNX Runtime is a 500.
/// </summary>
internal sealed class ScoringEndpoints(ServedModel model, ObjectPool<RequestScope> pool, ServingMetrics metrics, FeatureDriftMetrics drift, RequestLog log,
    ServingOptions options, ILogger<ScoringEndpoints> logger)
{
    public async Task PredictAsync(HttpContext context)
    {
        var scope = pool.Get();
        try
        {
            var body = await RequestBody.ReadAsync(context, options.MaxRequestBodyBytes);
            try
            {
                PredictRequestReader.Read(body, scope.Batch, options.MaxBatchRows);
            }
            finally
            {
                RequestBody.Release(context, body);
            }
            Score(scope.Batch, context.TraceIdentifier);
            PredictionWriter.WriteResponse(scope.Writer, scope.Batch);
            scope.Writer.Flush();
            await JsonResponse.WriteAsync(context, StatusCodes.Status200OK, scope.Response);
        }
        catch (Exception exception) when (Answerable(context, exception, out var status, out var message))
        {
            await ErrorResponse.WriteAsync(context, status, message);
        }
        finally
        {
            pool.Return(scope);
        }
    }

    public async Task InferAsync(HttpContext context)
    {
        if (ModelRoute.Mismatch(context, model) is { } notFound)
        {
            await ErrorResponse.WriteAsync(context, StatusCodes.Status404NotFound, notFound);
            return;
        }
        var scope = pool.Get();
        try
        {
            var body = await RequestBody.ReadAsync(context, options.MaxRequestBodyBytes);
            InferRequest request;
            try
            {
                request = InferRequestReader.Read(body, scope.Batch, options.MaxBatchRows);
            }
            finally
            {
                RequestBody.Release(context, body);
            }
            Score(scope.Batch, context.TraceIdentifier);
            InferResponseWriter.Write(scope.Writer, scope.Batch, request, context.TraceIdentifier);
            scope.Writer.Flush();
            await JsonResponse.WriteAsync(context, StatusCodes.Status200OK, scope.Response);
        }
        catch (Exception exception) when (Answerable(context, exception, out var status, out var message))
        {
            await ErrorResponse.WriteAsync(context, status, message);
        }
        finally
        {
            pool.Return(scope);
        }
    }

    private void Score(ScoringBatch batch, string requestId)
    {
        try
        {
            model.Score(batch);
        }
        catch (OnnxRuntimeException exception)
        {
            logger.LogError("ONNX Runtime failed to score request {RequestId}: {Reason}", requestId, exception.Message);
            throw new RequestRejected(StatusCodes.Status500InternalServerError, $"The model failed to score the request: {exception.Message}");
        }
        metrics.RecordPredictions(batch);
        drift.Record(batch);
        log.TryLog(batch, requestId);
    }

    /// <summary>The failures a request can cause, as a status and message; false for a client that went away (nothing to answer) or a bug.</summary>
    private static bool Answerable(HttpContext context, Exception exception, out int status, out string message)
    {
        (status, message) = exception switch
        {
            RequestRejected rejected => (rejected.StatusCode, rejected.Message),
            BadHttpRequestException bad => (bad.StatusCode, bad.Message),
            _ => (0, ""),
        };
        return status != 0 && !context.RequestAborted.IsCancellationRequested;
    }
}

/// <summary>The {name} and {version} of a model route, checked against the served model.</summary>
internal static class ModelRoute
{
    /// <summary>Why the route names another model, or null when it names this one.</summary>
    public static string? Mismatch(HttpContext context, ServedModel model)
    {
        var values = context.Request.RouteValues;
        var name = values.TryGetValue("name", out var n) ? n as string : null;
        if (!string.Equals(name, model.Name, StringComparison.Ordinal))
            return $"Model '{name}' is not served here; this host serves '{model.Name}' (version {model.Version}).";
        var version = values.TryGetValue("version", out var v) ? v as string : null;
        if (version is not null && !string.Equals(version, model.Version, StringComparison.Ordinal))
            return $"Model '{model.Name}' has no version '{version}' here; this host serves version {model.Version}.";
        return null;
    }
}
