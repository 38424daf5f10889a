using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace MlOps.Ci.Serving.Protocol;

/// <summary>Every error the host answers has the Open Inference Protocol's body: <c>{"error": "what is wrong"}</c>.</summary>
internal static class ErrorResponse
{
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
