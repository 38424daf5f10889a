using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MlOps.Ci.AzureDevOps.Repos;
using MlOps.Ci.Diagnostics;
using Polly;
using Polly.Retry;

namespace MlOps.Ci.AzureDevOps.Rest;

/// <summary>
/// The REST routes under one <see cref="AzureDevOpsResource"/> (api-version 7.1) with the job's bearer token. Every
/// failure a user can cause ends as an MLOPS81xx diagnostic naming the request: 401, 403 and 404 at once (worded by the
/// resource), 5xx, 429 and network failures after the retries of <see cref="ExecuteAsync{T}"/>.
/// </summary>
internal sealed class AzureDevOpsRestClient : IDisposable
{
    public const string ApiVersion = "7.1";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly AzureDevOpsResource _resource;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ResiliencePipeline _retry;

    public AzureDevOpsRestClient(AzureDevOpsResource resource, AzureDevOpsClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        options ??= new AzureDevOpsClientOptions();
        _resource = resource;
        _ownsHttp = options.HttpClient is null;
        _http = options.HttpClient ?? new HttpClient { Timeout = options.Timeout };
        var maxRetryAfter = options.MaxRetryAfter;
        _retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<TransientAzureDevOpsException>(),
            MaxRetryAttempts = options.MaxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryDelay,
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is TransientAzureDevOpsException { RetryAfter: { } after }
                ? after > maxRetryAfter ? maxRetryAfter : after
                : (TimeSpan?)null),
        }).Build();
    }

    /// <summary>
    /// Runs <paramref name="operation"/>, again from its start after a transient failure. A caller groups requests
    /// that must be retried together: re-listing threads before creating one again means a POST that succeeded on
    /// the server but whose answer was lost cannot leave a second thread.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.ExecuteAsync(async token => await operation(token), cancellationToken);
        }
        catch (TransientAzureDevOpsException exception)
        {
            throw exception.ToMlOpsException();
        }
    }

    public async Task<T> SendAsync<T>(HttpMethod method, string route, object? body, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{_resource.BaseUrl}{route}?api-version={ApiVersion}");
        var request = $"{method} {uri.GetLeftPart(UriPartial.Path)}";
        using var message = new HttpRequestMessage(method, uri);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _resource.AccessToken);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
            message.Content = JsonContent.Create(body, body.GetType(), new MediaTypeHeaderValue("application/json"), Json);

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, cancellationToken);
        }
        catch (HttpRequestException exception)
        {
            throw new TransientAzureDevOpsException(request, null, exception.Message, null, exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TransientAzureDevOpsException(request, null, "no answer in time", null, exception);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                        ?? throw Rejected(request, response.StatusCode, "the answer was empty");
                }
                catch (JsonException exception)
                {
                    throw Rejected(request, response.StatusCode, $"the answer is not the documented JSON ({exception.Message})");
                }
            }

            var error = await ReadErrorAsync(response, cancellationToken);
            var status = (int)response.StatusCode;
            if (status >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var retryAfter = response.Headers.RetryAfter?.Delta
                    ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
                throw new TransientAzureDevOpsException(request, response.StatusCode, error, retryAfter is { } after && after > TimeSpan.Zero ? after : null);
            }
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized => MlOpsException.Of(DiagnosticCodes.AzureDevOpsUnauthorized,
                    $"Azure DevOps refused the access token (401) on {request}: {error}", hint: _resource.UnauthorizedHint),
                HttpStatusCode.Forbidden => MlOpsException.Of(DiagnosticCodes.AzureDevOpsForbidden,
                    $"The build identity may not do this (403) on {request}: {error}", hint: _resource.ForbiddenHint),
                HttpStatusCode.NotFound => MlOpsException.Of(_resource.NotFoundCode,
                    $"Azure DevOps found no {_resource} (404) on {request}: {error}", hint: _resource.NotFoundHint),
                HttpStatusCode.BadRequest when _resource.BadRequestCode is { } code => MlOpsException.Of(code,
                    $"Azure DevOps refused {request} for {_resource} (400): {error}", hint: _resource.BadRequestHint),
                _ => Rejected(request, response.StatusCode, error),
            };
        }
    }

    private static MlOpsException Rejected(string request, HttpStatusCode status, string error) =>
        MlOpsException.Of(DiagnosticCodes.AzureDevOpsRequestRejected,
            $"Azure DevOps rejected {request} ({(int)status} {status}): {error}",
            hint: "This is most likely a bug in MlOps.Ci or a change in the Azure DevOps REST API; please report it with this message.");

    /// <summary>The service's own words from its error body (<c>message</c>, <c>typeKey</c>), or the status text.</summary>
    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            if (JsonSerializer.Deserialize<AzureDevOpsError>(text, Json) is { Message: { Length: > 0 } message } error)
                return error.TypeKey is { Length: > 0 } key ? $"{message} ({key})" : message;
        }
        catch (JsonException)
        {
        }
        return response.ReasonPhrase is { Length: > 0 } reason ? reason : $"HTTP {(int)response.StatusCode}";
    }

    public void Dispose()
    {
        if (_ownsHttp)
            _http.Dispose();
    }
}

/// <summary>A failure worth retrying (5xx, 429, no answer); after the last retry it becomes its MLOPS diagnostic.</summary>
internal sealed class TransientAzureDevOpsException(string request, HttpStatusCode? status, string error, TimeSpan? retryAfter, Exception? inner = null)
    : Exception($"{request}: {error}", inner)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public MlOpsException ToMlOpsException() => status switch
    {
        HttpStatusCode.TooManyRequests => MlOpsException.Of(DiagnosticCodes.AzureDevOpsThrottled,
            $"Azure DevOps kept throttling {request} (429 Too Many Requests{(RetryAfter is { } after ? $", Retry-After {after.TotalSeconds:0} s" : "")}): {error}",
            hint: "The organization's rate limit for the build identity is spent; run the step again later, or spread concurrent builds."),
        { } code => MlOpsException.Of(DiagnosticCodes.AzureDevOpsServerError,
            $"Azure DevOps failed {request} ({(int)code} {code}) on every retry: {error}",
            hint: "The service is having trouble; check https://status.dev.azure.com and run the step again."),
        null => MlOpsException.Of(DiagnosticCodes.AzureDevOpsUnreachable,
            $"Azure DevOps did not answer {request}: {error}",
            hint: $"Check {Pipelines.AzurePipelinesEnvironment.CollectionUri} and that the agent can reach it (proxy, firewall)."),
    };
}

/// <summary>The service's error body (WrappedException): <c>message</c> is meant for people, <c>typeKey</c> names the failure.</summary>
internal sealed record AzureDevOpsError(string? Message, string? TypeKey);
