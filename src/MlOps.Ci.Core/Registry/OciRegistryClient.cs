using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using Polly;
using Polly.Retry;

namespace MlOps.Ci.Registry;

/// <summary>
/// A client for the OCI distribution API (the HTTP API of GHCR, ACR, Harbor, Docker Hub and the CNCF distribution
/// registry): blobs, manifests and tags, with the registry token handshake, retries with backoff that honour
/// Retry-After, and digest verification of everything downloaded. Uploads are monolithic and restarted from the
/// beginning on failure; a tag is written only after every blob it points at is in place, so a failed push never leaves
/// a tag behind.
/// </summary>
public sealed partial class OciRegistryClient : IDisposable
{
    public const string OciManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndexMediaType = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifestMediaType = "application/vnd.docker.distribution.manifest.v2+json";

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly string _registry;
    private readonly Uri _baseAddress;
    private readonly RegistryCredential? _credential;
    private readonly ResiliencePipeline _retry;
    private readonly Dictionary<string, AuthenticationHeaderValue> _authorizations = new(StringComparer.Ordinal);

    public OciRegistryClient(string registry, RegistryClientOptions? options = null)
    {
        options ??= new RegistryClientOptions();
        _registry = registry;
        _credential = options.Credential ?? RegistryCredentials.For(registry);
        var scheme = options.PlainHttp ?? IsInsecure(registry) ? "http" : "https";
        _baseAddress = new Uri($"{scheme}://{registry}/");
        _ownsHttp = options.HttpClient is null;
        _http = options.HttpClient ?? new HttpClient { Timeout = options.Timeout };
        _retry = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TransientRegistryException>()
                .Handle<TaskCanceledException>(e => !e.CancellationToken.IsCancellationRequested),
            MaxRetryAttempts = options.MaxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryDelay,
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is TransientRegistryException { RetryAfter: { } after } ? after : (TimeSpan?)null),
        }).Build();
    }

    public string Registry => _registry;

    /// <summary>Loopback registries and those listed in MLOPS_INSECURE_REGISTRIES (comma-separated) speak plain HTTP.</summary>
    public static bool IsInsecure(string registry)
    {
        var host = registry.StartsWith('[') ? registry[..(registry.IndexOf(']') + 1)] : registry.Split(':')[0];
        if (host is "localhost" or "127.0.0.1" or "[::1]" || host.StartsWith("127.", StringComparison.Ordinal))
            return true;
        var listed = Environment.GetEnvironmentVariable("MLOPS_INSECURE_REGISTRIES") ?? "";
        return listed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Contains(registry, StringComparer.OrdinalIgnoreCase);
    }

    public Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken = default) =>
        RunAsync(async token =>
        {
            using var response = await SendAsync(repository, () => new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/blobs/{digest}"), token);
            if (response.StatusCode == HttpStatusCode.NotFound)
                return false;
            await EnsureSuccessAsync(response, repository, token);
            return true;
        }, cancellationToken);

    /// <summary>Uploads a blob (skipped when the registry has it already) in one request; restarted from scratch on failure.</summary>
    public Task PushBlobAsync(string repository, string digest, byte[] content, CancellationToken cancellationToken = default) =>
        RunAsync(async token =>
        {
            using (var head = await SendAsync(repository, () => new HttpRequestMessage(HttpMethod.Head, $"v2/{repository}/blobs/{digest}"), token, push: true))
            {
                if (head.IsSuccessStatusCode)
                    return true;
            }
            Uri location;
            using (var start = await SendAsync(repository, () => new HttpRequestMessage(HttpMethod.Post, $"v2/{repository}/blobs/uploads/"), token, push: true))
            {
                await EnsureSuccessAsync(start, repository, token);
                location = start.Headers.Location ?? throw Rejected(repository, "the registry did not say where to upload (no Location header)");
                if (!location.IsAbsoluteUri)
                    location = new Uri(_baseAddress, location);
            }
            var separator = location.Query.Length > 0 ? "&" : "?";
            using var put = await SendAsync(repository, () => new HttpRequestMessage(HttpMethod.Put, new Uri($"{location}{separator}digest={Uri.EscapeDataString(digest)}"))
            {
                Content = new ByteArrayContent(content) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } },
            }, token, push: true);
            await EnsureSuccessAsync(put, repository, token);
            return true;
        }, cancellationToken);

    public Task<string> PushManifestAsync(string repository, string reference, byte[] manifest, string mediaType, CancellationToken cancellationToken = default) =>
        RunAsync(async token =>
        {
            using var response = await SendAsync(repository, () => new HttpRequestMessage(HttpMethod.Put, $"v2/{repository}/manifests/{reference}")
            {
                Content = new ByteArrayContent(manifest) { Headers = { ContentType = new MediaTypeHeaderValue(mediaType) } },
            }, token, push: true);
            await EnsureSuccessAsync(response, repository, token);
            return Sha256Digest(manifest);
        }, cancellationToken);

    /// <summary>The manifest at a tag or digest, verified against its digest; null when there is none.</summary>
    public Task<OciManifestResponse?> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken = default) =>
        RunAsync(async token =>
        {
            using var response = await SendAsync(repository, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/manifests/{reference}");
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciManifestMediaType));
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciIndexMediaType));
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(DockerManifestMediaType));
                return request;
            }, token);
            if (response.StatusCode == HttpStatusCode.NotFound)
                return null;
            await EnsureSuccessAsync(response, repository, token);
            var content = await response.Content.ReadAsByteArrayAsync(token);
            var digest = Sha256Digest(content);
            var expected = reference.StartsWith("sha256:", StringComparison.Ordinal) ? reference
                : response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
            if (expected is not null && expected != digest)
            {
                throw MlOpsException.Of(DiagnosticCodes.DigestMismatch, $"The manifest {_registry}/{repository}:{reference} has digest {digest}, not {expected}.", null,
                    "Something between you and the registry altered the response; pull again, and check any proxy.");
            }
            return new OciManifestResponse(content, response.Content.Headers.ContentType?.MediaType ?? OciManifestMediaType, digest);
        }, cancellationToken);

    /// <summary>
    /// Downloads a blob to <paramref name="destination"/> atomically, checking size and SHA-256 as it streams: a
    /// truncated or altered download never reaches the destination.
    /// </summary>
    public Task DownloadBlobAsync(string repository, string digest, long expectedSize, string destination, CancellationToken cancellationToken = default) =>
        RunAsync(async token =>
        {
            using var response = await SendAsync(repository, () => new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/blobs/{digest}"), token, streaming: true);
            if (response.StatusCode == HttpStatusCode.NotFound)
                throw MlOpsException.Of(DiagnosticCodes.ArtifactNotFound, $"Blob {digest} is not in {_registry}/{repository}.", null, "The artifact was deleted from the registry; push it again.");
            await EnsureSuccessAsync(response, repository, token);
            await using var body = await response.Content.ReadAsStreamAsync(token);
            long received = 0;
            string actual = "";
            try
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                AtomicFile.Write(destination, output =>
                {
                    var buffer = new byte[1 << 16];
                    int read;
                    while ((read = body.Read(buffer)) > 0)
                    {
                        output.Write(buffer, 0, read);
                        hash.AppendData(buffer, 0, read);
                        received += read;
                    }
                    actual = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
                    if (received != expectedSize)
                        throw new TransientRegistryException($"the download of {digest} stopped after {received} of {expectedSize} bytes", null) { Truncated = true };
                    if (actual != digest)
                        throw MlOpsException.Of(DiagnosticCodes.DigestMismatch, $"Blob from {_registry}/{repository} has digest {actual}, not {digest}.", null,
                            "The registry returned other content than its manifest names; nothing was kept. Push the artifact again.");
                });
            }
            catch (IOException exception)
            {
                throw new TransientRegistryException($"the download of {digest} broke off after {received} of {expectedSize} bytes: {exception.Message}", null) { Truncated = true };
            }
            return true;
        }, cancellationToken);

    public Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken = default) =>
        RunAsync<IReadOnlyList<string>>(async token =>
        {
            using var response = await SendAsync(repository, () => new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/tags/list"), token);
            if (response.StatusCode == HttpStatusCode.NotFound)
                return [];
            await EnsureSuccessAsync(response, repository, token);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token));
            return json.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
                ? tags.EnumerateArray().Select(t => t.GetString()!).ToList()
                : [];
        }, cancellationToken);

    public static string Sha256Digest(ReadOnlySpan<byte> content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    private async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await _retry.ExecuteAsync(async token => await operation(token), cancellationToken);
        }
        catch (TransientRegistryException exception) when (exception.Truncated)
        {
            throw MlOpsException.Of(DiagnosticCodes.TruncatedDownload, $"Download from {_registry} failed: {exception.Message}.", null,
                "The connection kept breaking off; try again, and check the network or proxy between you and the registry.");
        }
        catch (TransientRegistryException exception)
        {
            throw MlOpsException.Of(DiagnosticCodes.RegistryServerError, $"Registry {_registry} kept failing: {exception.Message}.", null,
                "The registry is having trouble; retry later. Nothing partial was left: a tag is only written after all its content.");
        }
        catch (HttpRequestException exception)
        {
            throw MlOpsException.Of(DiagnosticCodes.RegistryUnreachable, $"Registry {_registry} cannot be reached: {exception.Message}", null,
                "Check the registry address and that it is running and reachable from here.");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw MlOpsException.Of(DiagnosticCodes.RegistryUnreachable, $"Registry {_registry} did not answer in time.", null,
                "Check the registry address and the network; a slow registry can be given more time with MLOPS_REGISTRY_TIMEOUT_SECONDS.");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string repository, Func<HttpRequestMessage> create, CancellationToken token, bool push = false, bool streaming = false)
    {
        var scope = $"repository:{repository}:{(push ? "pull,push" : "pull")}";
        var completion = streaming ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead;
        var request = Prepare(create(), scope);
        var response = await _http.SendAsync(request, completion, token);
        if (response.StatusCode == HttpStatusCode.Unauthorized && await AuthenticateAsync(response, scope, token))
        {
            response.Dispose();
            response = await _http.SendAsync(Prepare(create(), scope), completion, token);
        }
        if ((int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout)
        {
            var retryAfter = response.Headers.RetryAfter?.Delta
                ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
            var status = $"{(int)response.StatusCode} {response.ReasonPhrase} on {request.Method} {request.RequestUri?.AbsolutePath}";
            response.Dispose();
            throw new TransientRegistryException(status, retryAfter is { } after && after > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Min(after.TotalSeconds, 60)) : null);
        }
        return response;
    }

    private HttpRequestMessage Prepare(HttpRequestMessage request, string scope)
    {
        if (request.RequestUri is { IsAbsoluteUri: false } relative)
            request.RequestUri = new Uri(_baseAddress, relative);
        if (_authorizations.TryGetValue(scope, out var authorization) || _authorizations.TryGetValue("*", out authorization))
            request.Headers.Authorization = authorization;
        return request;
    }

    /// <summary>
    /// Answers a 401 challenge: Basic with the credential, or the Bearer token handshake of the Docker token spec
    /// (GET realm?service=…&amp;scope=… with the credential, if any).
    /// </summary>
    private async Task<bool> AuthenticateAsync(HttpResponseMessage challenge, string scope, CancellationToken token)
    {
        var header = challenge.Headers.WwwAuthenticate.FirstOrDefault();
        if (header is null)
            return false;
        if (header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            if (_credential is null || _authorizations.ContainsKey("*"))
                throw Unauthorized(challenge);
            _authorizations["*"] = new AuthenticationHeaderValue("Basic", _credential.BasicValue);
            return true;
        }
        if (!header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || _authorizations.ContainsKey(scope))
            throw Unauthorized(challenge);
        var parameters = ChallengeParameter().Matches(header.Parameter ?? "").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.OrdinalIgnoreCase);
        if (!parameters.TryGetValue("realm", out var realm))
            throw Unauthorized(challenge);
        var query = new List<string>();
        if (parameters.TryGetValue("service", out var service))
            query.Add($"service={Uri.EscapeDataString(service)}");
        query.Add($"scope={Uri.EscapeDataString(parameters.GetValueOrDefault("scope") ?? scope)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{realm}?{string.Join("&", query)}");
        if (_credential is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _credential.BasicValue);
        using var response = await _http.SendAsync(request, token);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw Unauthorized(challenge);
        await EnsureSuccessAsync(response, scope, token);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(token));
        var bearer = json.RootElement.TryGetProperty("token", out var value) ? value.GetString()
            : json.RootElement.TryGetProperty("access_token", out value) ? value.GetString() : null;
        if (string.IsNullOrEmpty(bearer))
            throw Unauthorized(challenge);
        _authorizations[scope] = new AuthenticationHeaderValue("Bearer", bearer);
        return true;
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string repository, CancellationToken token)
    {
        if (response.IsSuccessStatusCode)
            return;
        if (response.StatusCode == HttpStatusCode.Unauthorized)
            throw Unauthorized(response);
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            throw MlOpsException.Of(DiagnosticCodes.RegistryForbidden, $"Registry {_registry} refused access to '{repository}' (403 Forbidden).", null,
                "The credential is valid but lacks permission: it needs pull (and push, to publish) on this repository, e.g. 'packages: write' for a GitHub token.");
        }
        var body = await response.Content.ReadAsStringAsync(token);
        throw Rejected(repository, $"{(int)response.StatusCode} {response.ReasonPhrase}: {ErrorMessage(body)}");
    }

    private MlOpsException Unauthorized(HttpResponseMessage response) => MlOpsException.Of(DiagnosticCodes.RegistryUnauthorized,
        $"Registry {_registry} asks for credentials ({(int)response.StatusCode} {response.ReasonPhrase}){(_credential is null ? " and none were found" : " and rejected the ones found")}.", null,
        "Log in with 'docker login', or set MLOPS_REGISTRY_USERNAME and MLOPS_REGISTRY_PASSWORD (a token) for this registry.");

    private MlOpsException Rejected(string repository, string reason) => MlOpsException.Of(DiagnosticCodes.RegistryRequestRejected,
        $"Registry {_registry} rejected a request for '{repository}': {reason}", null, "Check the repository name and that the registry supports OCI artifacts.");

    private static string ErrorMessage(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("errors", out var errors))
                return string.Join("; ", errors.EnumerateArray().Select(e => $"{e.GetProperty("code").GetString()} {e.GetProperty("message").GetString()}"));
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
        }
        return body.Length > 300 ? body[..300] : body;
    }

    [GeneratedRegex("(\\w+)=\"([^\"]*)\"")]
    private static partial Regex ChallengeParameter();

    public void Dispose()
    {
        if (_ownsHttp)
            _http.Dispose();
    }
}

public sealed record OciManifestResponse(byte[] Content, string MediaType, string Digest);

public sealed record RegistryClientOptions
{
    public RegistryCredential? Credential { get; init; }
    public bool? PlainHttp { get; init; }
    public HttpClient? HttpClient { get; init; }
    public int MaxRetries { get; init; } = 4;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("MLOPS_REGISTRY_TIMEOUT_SECONDS"), out var seconds) && seconds > 0 ? seconds : 100);
}

/// <summary>A failure worth another try: a 5xx, 429 or 408 answer, or a download that broke off.</summary>
internal sealed class TransientRegistryException(string message, TimeSpan? retryAfter) : Exception(message)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public bool Truncated { get; init; }
}
