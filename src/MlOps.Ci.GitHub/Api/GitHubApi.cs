using System.Globalization;
using System.Net;
using MlOps.Ci.Diagnostics;
using Octokit;
using Octokit.Internal;

namespace MlOps.Ci.GitHub.Api;

/// <summary>
/// One repository's REST API through Octokit, with GitHub's retry rules (<see cref="GitHubRetryHandler"/>) and every
/// failure turned into an MLOPS diagnostic naming the request (method and path) and what to do.
/// </summary>
public sealed class GitHubApi
{
    public GitHubApi(GitHubApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Token);
        Options = options;
        var http = new HttpClientAdapter(() => new GitHubRetryHandler(options, new SocketsHttpHandler()));
        var connection = new Connection(new ProductHeaderValue("MlOps.Ci", "0.1"), BaseAddress(options.ApiUrl),
            new InMemoryCredentialStore(new Credentials(options.Token)), http, new SimpleJsonSerializer());
        Client = new GitHubClient(connection);
        Connection = new ApiConnection(connection);
    }

    public GitHubApiOptions Options { get; }

    public GitHubRepositoryName Repository => Options.Repository;

    public IGitHubClient Client { get; }

    /// <summary>For the few routes Octokit has no typed filter for (deployments of one environment).</summary>
    public IApiConnection Connection { get; }

    /// <summary>A path of this repository's API, for messages: <c>/repos/owner/name/…</c>.</summary>
    public string RepoPath(string rest) => $"/repos/{Repository}{rest}";

    /// <summary>A route of this repository relative to the API root, for <see cref="Connection"/>.</summary>
    public Uri RelativeUri(string rest) =>
        new($"repos/{Uri.EscapeDataString(Repository.Owner)}/{Uri.EscapeDataString(Repository.Name)}{rest}", UriKind.Relative);

    /// <summary>
    /// Runs one API call; Octokit's exceptions become MLOPS diagnostics. <paramref name="special"/> may claim an
    /// exception first (a 404 that means "no such pull request").
    /// </summary>
    public async Task<T> SendAsync<T>(string method, string path, Func<Task<T>> call, Func<ApiException, MlOpsException?>? special = null)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ApiException exception) when (special?.Invoke(exception) is { } claimed)
        {
            throw claimed;
        }
        catch (ApiException exception)
        {
            throw Diagnose(method, path, exception);
        }
        catch (HttpRequestException exception)
        {
            throw new MlOpsException(Diagnostic.Error(DiagnosticCodes.GitHubUnreachable,
                $"{method} {path}: no answer from {Options.ApiUrl} after {Options.MaxRetries} retries ({exception.Message}).",
                hint: "Check GITHUB_API_URL and the runner's network, then run the job again."), exception);
        }
        catch (TaskCanceledException exception) when (exception.InnerException is TimeoutException)
        {
            throw new MlOpsException(Diagnostic.Error(DiagnosticCodes.GitHubUnreachable,
                $"{method} {path}: {Options.ApiUrl} did not answer in time.", hint: "Run the job again later."), exception);
        }
    }

    public Task SendAsync(string method, string path, Func<Task> call, Func<ApiException, MlOpsException?>? special = null) =>
        SendAsync(method, path, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        }, special);

    /// <summary>GitHub's own words for an error: its message, then each field error of a 422.</summary>
    public static string GitHubMessage(ApiException exception)
    {
        var message = exception.ApiError?.Message ?? exception.Message;
        var errors = exception.ApiError?.Errors?.Select(e => e.Message ?? $"{e.Resource}.{e.Field}: {e.Code}").Where(e => !string.IsNullOrEmpty(e)) ?? [];
        var details = string.Join("; ", errors);
        return details.Length == 0 ? message : $"{message} ({details})";
    }

    /// <summary>True for the 403 that a token without write permission gets on a write.</summary>
    public static bool IsReadOnlyToken(ApiException exception) =>
        exception.StatusCode == HttpStatusCode.Forbidden
        && GitHubMessage(exception).Contains("not accessible by integration", StringComparison.OrdinalIgnoreCase);

    private MlOpsException Diagnose(string method, string path, ApiException exception)
    {
        var request = $"{method} {path}";
        var said = GitHubMessage(exception);
        Diagnostic diagnostic = exception switch
        {
            RateLimitExceededException limit => Diagnostic.Error(DiagnosticCodes.GitHubRateLimited,
                $"{request}: GitHub's rate limit is spent until {limit.Reset.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC ({said}).",
                hint: $"Run the job again after that time; waits longer than {Options.MaxRetryWait.TotalSeconds:0} s are not sat out."),
            SecondaryRateLimitExceededException or { StatusCode: HttpStatusCode.TooManyRequests } => Diagnostic.Error(DiagnosticCodes.GitHubRateLimited,
                $"{request}: GitHub's secondary rate limit held after {Options.MaxRetries} retries{RetryAfterText(exception)} ({said}).",
                hint: "Too many concurrent requests: run the job again later, or spread the jobs that call GitHub."),
            AuthorizationException => Diagnostic.Error(DiagnosticCodes.GitHubUnauthorized,
                $"{request}: GitHub answered 401 ({said}): the token is invalid or expired.",
                hint: "Pass a current token as GITHUB_TOKEN (the action's github-token input)."),
            _ when IsReadOnlyToken(exception) => Diagnostic.Error(DiagnosticCodes.GitHubTokenReadOnly,
                $"{request}: GitHub answered 403 \"{said}\": the token may not write here.",
                hint: "Grant the job the permissions it needs (pull-requests: write and checks: write for reports, deployments: write "
                      + "for promote/rollback, actions: write for retrain). A pull request from a fork gets a read-only GITHUB_TOKEN under "
                      + "'pull_request' whatever the permissions say: the report stays in the step summary; to comment, run the report "
                      + "from a 'pull_request_target' or 'workflow_run' workflow that never executes the fork's code (see docs/github.md)."),
            { StatusCode: HttpStatusCode.Forbidden } => Diagnostic.Error(DiagnosticCodes.GitHubTokenReadOnly,
                $"{request}: GitHub answered 403 ({said}).",
                hint: "Check the token's permissions for this repository (see docs/github.md)."),
            NotFoundException => Diagnostic.Error(DiagnosticCodes.GitHubResourceNotFound,
                $"{request}: GitHub answered 404 ({said}).",
                hint: $"Check that {Repository} and the resource in the path exist and that the token can see them (a token of another repository or organization gets 404)."),
            { StatusCode: >= HttpStatusCode.InternalServerError } => Diagnostic.Error(DiagnosticCodes.GitHubServerError,
                $"{request}: GitHub answered {(int)exception.StatusCode} after {Options.MaxRetries} retries ({said}).",
                hint: "GitHub is having trouble: run the job again later."),
            _ => Diagnostic.Error(DiagnosticCodes.GitHubRequestRejected,
                $"{request}: GitHub answered {(int)exception.StatusCode}: {said}.",
                hint: "Fix what GitHub names above and run the step again."),
        };
        return new MlOpsException(diagnostic, exception);
    }

    private static string RetryAfterText(ApiException exception) =>
        exception.HttpResponse?.Headers?.FirstOrDefault(h => h.Key.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)).Value is { } after
            ? string.Create(CultureInfo.InvariantCulture, $" (last Retry-After: {after} s)")
            : "";

    /// <summary>
    /// GITHUB_API_URL is the API's root as the runner gives it (https://api.github.com, or https://HOST/api/v3 on GitHub
    /// Enterprise Server) and is used as it is: the Connection is built directly, so none of GitHubClient's guessing
    /// (which appends api/v3/ to any host but github.com) applies.
    /// </summary>
    private static Uri BaseAddress(Uri apiUrl) => apiUrl.AbsoluteUri.EndsWith('/') ? apiUrl : new Uri(apiUrl.AbsoluteUri + "/");
}
