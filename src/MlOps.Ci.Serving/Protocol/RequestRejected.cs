using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace MlOps.Ci.Serving.Protocol;

/// <summary>
/// A request the host will not score, with the 4xx status and a message that names the field at fault. Thrown while
/// reading a request and answered as <c>{"error": message}</c>. The one 5xx it carries is ONNX Runtime failing on a
/// request that passed every check.
/// </summary>
internal sealed class RequestRejected(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public static RequestRejected BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static RequestRejected TooLarge(string message) => new(StatusCodes.Status413PayloadTooLarge, message);

    public static RequestRejected NotFound(string message) => new(StatusCodes.Status404NotFound, message);

    /// <summary>A syntax error, with the 1-based line and byte position the reader stopped at.</summary>
    public static RequestRejected InvalidJson(JsonException exception)
    {
        var message = exception.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut > 0)
            message = message[..cut];
        var line = (exception.LineNumber ?? 0) + 1;
        var position = (exception.BytePositionInLine ?? 0) + 1;
        return BadRequest($"The body is not valid JSON (line {line}, position {position}): {message}");
    }

    public static RequestRejected TooManyRows(int maxRows) =>
        TooLarge($"The request has more than {maxRows} rows, the most this host scores at once (MaxBatchRows); split it into smaller batches.");
}
