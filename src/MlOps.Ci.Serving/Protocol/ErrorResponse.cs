using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Serving.Protocol;

/// <summary>
/// Every error the host answers has the Open Inference Protocol's body, <c>{"error": "what is wrong"}</c>, plus the
/// stable MLOPS code of its kind (docs/diagnostics.md) in <c>"code"</c>, which OIP clients ignore.
/// </summary>
internal static class ErrorResponse
{
    public static string CodeFor(int statusCode) => statusCode switch
    {
        StatusCodes.Status413PayloadTooLarge => DiagnosticCodes.RequestTooLarge,
        StatusCodes.Status404NotFound => DiagnosticCodes.ModelNotServed,
        StatusCodes.Status405MethodNotAllowed => DiagnosticCodes.MethodNotAllowed,
        >= 500 => DiagnosticCodes.ServingScoringFailed,
        _ => DiagnosticCodes.RequestInvalid,
    };

    public static Task WriteAsync(HttpContext context, int statusCode, string message)
    {
        var response = context.Response;
        if (response.HasStarted)
            return Task.CompletedTask;
        var buffer = new ArrayBufferWriter<byte>(message.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer, JsonValues.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteString("code", CodeFor(statusCode));
            writer.WriteEndObject();
        }
        return JsonResponse.WriteAsync(context, statusCode, buffer.WrittenMemory);
    }
}

/// <summary>A JSON body written in one piece, with its length, so a client never sees a chunked answer.</summary>
internal static class JsonResponse
{
    public const string ContentType = "application/json";

    public static Task WriteAsync(HttpContext context, int statusCode, ReadOnlyMemory<byte> json)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = ContentType;
        response.ContentLength = json.Length;
        var write = response.BodyWriter.WriteAsync(json);
        return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
    }
}
