using System.Text.RegularExpressions;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace MlOps.Ci.Containers.Engine;

/// <summary>
/// Reads the engine's JSON message stream of a build, pull or push. Failures arrive here as
/// <see cref="JSONMessage.Error"/>, not as exceptions, so the first one is kept for the caller to turn into a
/// diagnostic, along with the build step it happened in. Reported synchronously (not <c>Progress&lt;T&gt;</c>, which
/// posts to the thread pool), so the state is complete when the API call returns.
/// </summary>
internal sealed partial class EngineProgress(ILogger logger, string operation) : IProgress<JSONMessage>
{
    private readonly List<string> _output = [];

    public string? Error { get; private set; }

    /// <summary>The Dockerfile step that was running ("Step 1/12 : FROM …"), for a build.</summary>
    public string? Step { get; private set; }

    public int StepNumber { get; private set; }

    /// <summary>The pushed manifest's digest, or the built image's id, from the messages' aux field.</summary>
    public string? Digest { get; private set; }

    public string? ImageId { get; private set; }

    /// <summary>The last lines of output, for a message when something failed.</summary>
    public string Tail => string.Join("\n", _output.TakeLast(15));

    public void Report(JSONMessage value)
    {
        if (value.Error is not null || !string.IsNullOrEmpty(value.ErrorMessage))
        {
            Error ??= (value.Error?.Message ?? value.ErrorMessage)?.Trim();
            logger.LogDebug("{Operation}: error {Error}", operation, Error);
            return;
        }
        if (value.Aux?.ExtensionData is { } aux)
        {
            if (aux.TryGetValue("Digest", out var digest) && digest?.ToString() is { Length: > 0 } pushed)
                Digest = pushed;
            if (aux.TryGetValue("ID", out var id) && id?.ToString() is { Length: > 0 } built)
                ImageId = built;
        }
        var line = (value.Stream ?? (value.ID is { Length: > 0 } ? $"{value.ID}: {value.Status}" : value.Status))?.TrimEnd();
        if (string.IsNullOrEmpty(line))
            return;
        if (StepPattern().Match(line) is { Success: true } step)
        {
            Step = line;
            StepNumber = int.Parse(step.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            logger.LogInformation("{Operation}: {Step}", operation, line);
        }
        else if (value.Progress is null)
        {
            logger.LogDebug("{Operation}: {Line}", operation, line);
        }
        _output.Add(line);
    }

    [GeneratedRegex(@"^Step (\d+)/\d+ :")]
    private static partial Regex StepPattern();
}
