using System.CommandLine;

namespace MlOps.Ci.Cli.Commands;

/// <summary>
/// <c>mlops probe URL</c>: exit 0 when the URL answers 2xx within the timeout. Serving images use it as their
/// HEALTHCHECK, so they need no curl or wget in the base image.
/// </summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var url = new Argument<string>("url") { Description = "The URL to GET, e.g. http://127.0.0.1:8080/v2/health/ready." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for an answer.", DefaultValueFactory = _ => 3 };
        var probe = new Command("probe", "Exit 0 when a URL answers with a 2xx status (a health check that needs no curl).") { url, timeout };
        probe.SetAction(parse =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)) };
            try
            {
                using var response = http.GetAsync(new Uri(parse.GetValue(url)!)).GetAwaiter().GetResult();
                return response.IsSuccessStatusCode ? CommandOutput.Success : CommandOutput.Failed;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or UriFormatException or InvalidOperationException)
            {
                Console.Error.WriteLine($"mlops probe: {exception.Message}");
                return CommandOutput.Failed;
            }
        });
        return probe;
    }
}
