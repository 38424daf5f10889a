using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Core.Tests.Registry;

/// <summary>Looks at a registry with plain distribution-API requests, independent of the client under test.</summary>
public static class RegistryProbe
{
    /// <summary>The repository's tags; empty when the registry does not know the repository (404 NAME_UNKNOWN).</summary>
    public static async Task<IReadOnlyList<string>> TagsAsync(LocalRegistry registry, string repository)
    {
        using var client = registry.Client();
        using var response = await client.GetAsync($"v2/{repository}/tags/list");
        if (response.StatusCode == HttpStatusCode.NotFound)
            return [];
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("tags") is { ValueKind: JsonValueKind.Array } tags ? tags.EnumerateArray().Select(t => t.GetString()!).ToList() : [];
    }

    /// <summary>The manifest at a tag, with the media type the registry served it as.</summary>
    public static async Task<(string MediaType, JsonDocument Manifest)> ManifestAsync(LocalRegistry registry, string repository, string tag)
    {
        using var client = registry.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v2/{repository}/manifests/{tag}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciRegistryClient.OciManifestMediaType));
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (response.Content.Headers.ContentType?.MediaType ?? "", JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync()));
    }
}
