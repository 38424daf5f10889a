using Microsoft.Extensions.Logging;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Versioning;

/// <summary>
/// Data that lives outside the repository: an https:// URL or an oci:// artifact, fetched once into the
/// content-addressed data cache (<c>&lt;cache&gt;/data/xxh128/&lt;hash&gt;</c>) and pinned by its fingerprint in the lock
/// file. A fetched file whose content differs from the pin stops the build before any training.
/// </summary>
public sealed class DataFetcher(string cacheRoot, FileHashCache hashes, ILogger logger, HttpClient? http = null)
{
    private string DataRoot => Path.Combine(cacheRoot, "data");

    public DataSource Resolve(string location, DataRole role, string? pinned, LockMode mode, SourceLocation where)
    {
        if (pinned is not null && CachedPath(pinned) is { } cached && File.Exists(cached))
        {
            if (hashes.Fingerprint(cached) == pinned)
                return new DataSource(location, role, cached, IsRemote: true);
            logger.LogWarning("{Diagnostic}", Diagnostic.Warning(DiagnosticCodes.CacheEntryCorrupt,
                $"The cached copy of {location} no longer matches its pinned fingerprint; it was removed and is fetched again.", new SourceLocation(cached)));
            AtomicFile.TryDelete(cached);
        }
        if (pinned is null && mode == LockMode.Locked)
        {
            throw MlOpsException.Of(DiagnosticCodes.RemoteDataNotLocked, $"Remote data {location} has no pinned fingerprint in {LockFile.FileName}.", where,
                "Build once without -p:MlOpsLockMode=Locked to pin it, and commit the lock file.");
        }

        Directory.CreateDirectory(DataRoot);
        var temporary = Path.Combine(DataRoot, $".fetch-{Guid.NewGuid():N}.tmp");
        try
        {
            Download(location, temporary, where);
            var fingerprint = ContentHash.OfFile(temporary);
            if (pinned is not null && fingerprint != pinned)
            {
                throw MlOpsException.Of(DiagnosticCodes.DataHashMismatch,
                    $"{location} has content {fingerprint}, but {LockFile.FileName} pins {pinned}: the data changed at its source.", where,
                    "Pins are kept until you change them: if the new data is intended, delete this entry from mlops.lock.json (or the file) and build to pin it, then commit the lock file.");
            }
            var target = CachedPath(fingerprint)!;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(temporary, target, overwrite: true);
            logger.LogInformation("Fetched {Location} ({Fingerprint}).", location, fingerprint);
            return new DataSource(location, role, target, IsRemote: true);
        }
        finally
        {
            AtomicFile.TryDelete(temporary);
        }
    }

    private string? CachedPath(string fingerprint) =>
        fingerprint.StartsWith(ContentHash.Prefix, StringComparison.Ordinal) ? Path.Combine(DataRoot, "xxh128", fingerprint[ContentHash.Prefix.Length..]) : null;

    private void Download(string location, string destination, SourceLocation where)
    {
        if (OciReference.LooksLikeReference(location))
        {
            DownloadArtifact(OciReference.Parse(location, where), destination, where);
            return;
        }
        try
        {
            var client = http ?? SharedHttp.Value;
            using var response = client.GetAsync(location, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
            {
                throw MlOpsException.Of(DiagnosticCodes.DataDownloadFailed, $"Fetching {location} failed: {(int)response.StatusCode} {response.ReasonPhrase}.", where,
                    "Check the URL and that it needs no credentials.");
            }
            var expected = response.Content.Headers.ContentLength;
            using var body = response.Content.ReadAsStream();
            using var output = File.Create(destination);
            body.CopyTo(output);
            if (expected is { } length && output.Length != length)
            {
                throw MlOpsException.Of(DiagnosticCodes.TruncatedDownload, $"Fetching {location} stopped after {output.Length} of {length} bytes.", where,
                    "The connection broke off; build again.");
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or TaskCanceledException)
        {
            throw MlOpsException.Of(DiagnosticCodes.DataDownloadFailed, $"Fetching {location} failed: {exception.Message}", where,
                "Check the URL and the network; a fetched file is cached, so this is needed only once.");
        }
    }

    private static void DownloadArtifact(OciReference reference, string destination, SourceLocation where)
    {
        using var client = new OciRegistryClient(reference.Registry);
        var manifest = client.GetManifestAsync(reference.Repository, reference.Reference).GetAwaiter().GetResult()
            ?? throw MlOpsException.Of(DiagnosticCodes.ArtifactNotFound, $"{reference} does not exist.", where, "Check the repository and tag.");
        var layer = System.Text.Json.Nodes.JsonNode.Parse(manifest.Content)?["layers"]?.AsArray().FirstOrDefault()
            ?? throw MlOpsException.Of(DiagnosticCodes.ArtifactNotFound, $"{reference} has no layers to use as data.", where, "Push the data file as the artifact's only layer (oras push).");
        client.DownloadBlobAsync(reference.Repository, (string)layer["digest"]!, (long)layer["size"]!, destination).GetAwaiter().GetResult();
    }

    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient { Timeout = TimeSpan.FromMinutes(10) });
}
