using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace MlOps.Ci.GitHub.Api;

/// <summary>
/// Retries what GitHub asks clients to retry, under Octokit (which retries nothing): 5xx answers and dropped
/// connections with exponential backoff; secondary rate limits (403/429 with Retry-After, or a 403 whose message says
/// "secondary rate limit" — GitHub then asks for at least a minute) and a spent primary quota
/// (<c>x-ratelimit-remaining: 0</c>, wait until <c>x-ratelimit-reset</c>) after exactly the wait GitHub gives, when
/// that wait is within <see cref="GitHubApiOptions.MaxRetryWait"/>. Whatever is still failing reaches Octokit, which
/// turns it into its exception, and <see cref="GitHubApi"/> into an MLOPS diagnostic.
/// </summary>
internal sealed class GitHubRetryHandler : DelegatingHandler
{
    private static readonly TimeSpan SecondaryLimitWait = TimeSpan.FromMinutes(1);
    private static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("github-request");
    private readonly GitHubApiOptions _options;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly TimeProvider _time;

    public GitHubRetryHandler(GitHubApiOptions options, HttpMessageHandler inner, TimeProvider? time = null)
        : base(inner)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = Math.Max(1, options.MaxRetries),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryDelay,
            MaxDelay = options.MaxRetryWait,
            ShouldHandle = async args => args.Outcome switch
            {
                { Exception: HttpRequestException } => true,
                { Exception: TaskCanceledException } => !args.Context.CancellationToken.IsCancellationRequested,
                { Result: { } response } => await RetryWaitAsync(response).ConfigureAwait(false) is { } wait && wait <= _options.MaxRetryWait,
                _ => false,
            },
            // null: the exponential backoff; otherwise exactly what GitHub asked for.
            DelayGenerator = async args => args.Outcome.Result is { } response && !IsServerError(response)
                ? await RetryWaitAsync(response).ConfigureAwait(false)
                : null,
            OnRetry = args =>
            {
                // The request from the context: a dropped connection has no response to take it from.
                args.Context.Properties.TryGetValue(RequestKey, out var request);
                var what = args.Outcome.Result is { } response ? $"{(int)response.StatusCode}" : args.Outcome.Exception?.GetType().Name;
                _options.Logger.LogWarning("GitHub answered {What} to {Method} {Path}; retry {Attempt} of {Max} in {Delay:0.###} s",
                    what, request?.Method, request?.RequestUri?.AbsolutePath, args.AttemptNumber + 1, _options.MaxRetries, args.RetryDelay.TotalSeconds);
                _options.RetryObserver?.Invoke(new GitHubRetry(request?.Method.Method ?? "", request?.RequestUri?.AbsolutePath ?? "", what ?? "", args.RetryDelay));
                args.Outcome.Result?.Dispose();
                return default;
            },
        }).Build();
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestKey, request);
        try
        {
            // Re-sending the same message is safe below HttpClient: Octokit's bodies are buffered string content.
            return await _pipeline.ExecuteAsync(async (ctx, state) => await state.Handler.BaseSendAsync(state.Request, ctx.CancellationToken).ConfigureAwait(false),
                context, (Handler: this, Request: request)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> BaseSendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => base.SendAsync(request, cancellationToken);

    private static bool IsServerError(HttpResponseMessage response) => (int)response.StatusCode >= 500;

    /// <summary>How long GitHub asks to wait before this request may succeed; null when it should not be retried.</summary>
    private async Task<TimeSpan?> RetryWaitAsync(HttpResponseMessage response)
    {
        if (IsServerError(response))
            return TimeSpan.Zero;
        if (response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests))
            return null;
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
                return delta;
            if (retryAfter.Date is { } date)
                return Max(date - _time.GetUtcNow());
        }
        if (Header(response, "x-ratelimit-remaining") == "0"
            && long.TryParse(Header(response, "x-ratelimit-reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var reset))
        {
            return Max(DateTimeOffset.FromUnixTimeSeconds(reset) - _time.GetUtcNow());
        }
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
            return SecondaryLimitWait;
        // A 403 is a rate limit only when GitHub says so; "Resource not accessible by integration" must not be retried.
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return body.Contains("secondary rate limit", StringComparison.OrdinalIgnoreCase) ? SecondaryLimitWait : null;
    }

    private static TimeSpan Max(TimeSpan wait) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}

/// <summary>One retry as it happened: the request, what GitHub answered and the wait chosen.</summary>
public sealed record GitHubRetry(string Method, string Path, string Answer, TimeSpan Delay);
