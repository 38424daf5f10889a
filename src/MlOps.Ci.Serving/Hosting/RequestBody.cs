using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using MlOps.Ci.Serving.Protocol;

namespace MlOps.Ci.Serving.Hosting;

/// <summary>
/// The whole request body, as Kestrel's own buffers (no copy); the caller parses it and then releases it with
/// <see cref="Release"/>.
/// </summary>
/// <remarks>
/// A body over the limit is answered 413. Most clients (HttpClient, requests) only read an answer once they have sent
/// the whole body, and see a broken pipe, not the 413, if the server closes early; so a body up to
/// <see cref="DrainLimit"/> is read and discarded before the answer, and only a larger one closes the connection.
/// Kestrel itself refuses anything past the drain limit.
/// </remarks>
internal static class RequestBody
{
    private const long MinimumDrainLimit = 16 * 1024 * 1024;

    /// <summary>The most the host reads of a request it refuses as too large: Kestrel's own MaxRequestBodySize.</summary>
    public static long DrainLimit(long maxBytes) => maxBytes > long.MaxValue / 4 ? long.MaxValue : Math.Max(4 * maxBytes, MinimumDrainLimit);

    public static async ValueTask<ReadOnlySequence<byte>> ReadAsync(HttpContext context, long maxBytes)
    {
        if (context.Request.ContentLength is { } declared && declared > maxBytes)
        {
            if (declared <= DrainLimit(maxBytes))
                await DrainAsync(context);
            else
                context.Response.Headers.Connection = "close";
            throw TooLarge(declared, maxBytes);
        }
        var reader = context.Request.BodyReader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(context.RequestAborted);
                if (result.IsCompleted)
                {
                    if (result.Buffer.Length <= maxBytes)
                        return result.Buffer;
                    reader.AdvanceTo(result.Buffer.End);
                    throw TooLarge(null, maxBytes);
                }
                // A canceled read is not the end of the body: Kestrel cancels pending reads when shutdown begins, and
                // a request in flight must still be read to its end (a client that went away aborts the read instead).
                context.RequestAborted.ThrowIfCancellationRequested();
                if (result.Buffer.Length > maxBytes)
                {
                    reader.AdvanceTo(result.Buffer.End);
                    await DrainAsync(context);
                    throw TooLarge(null, maxBytes);
                }
                // Nothing consumed, everything examined: the next read returns all of it and more.
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Past the drain limit (Kestrel's): the rest is not worth reading, the connection closes after the answer.
            context.Response.Headers.Connection = "close";
            throw TooLarge(null, maxBytes);
        }
    }

    public static void Release(HttpContext context, ReadOnlySequence<byte> body) => context.Request.BodyReader.AdvanceTo(body.End);

    private static async Task DrainAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
                return;
            context.RequestAborted.ThrowIfCancellationRequested();
        }
    }

    private static RequestRejected TooLarge(long? length, long maxBytes) => RequestRejected.TooLarge(length is { } bytes
        ? $"The request body is {bytes} bytes; this host takes at most {maxBytes} (MaxRequestBodyBytes). Split the batch."
        : $"The request body is larger than {maxBytes} bytes, the most this host takes (MaxRequestBodyBytes). Split the batch.");
}
