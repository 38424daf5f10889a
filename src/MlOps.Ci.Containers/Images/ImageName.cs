using System.Text.RegularExpressions;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Containers.Images;

/// <summary>
/// A container image reference the way Docker reads one: <c>[registry/]repository[:tag][@sha256:digest]</c>, where the
/// first path component is a registry only if it has a '.' or ':' or is "localhost" (so "acme/churn" is on Docker Hub).
/// </summary>
internal sealed partial record ImageName(string? Registry, string Repository, string Tag, string? Digest = null)
{
    public const string DockerHub = "docker.io";

    /// <summary>The repository with its registry, as Docker names it (no tag).</summary>
    public string FullRepository => Registry is null ? Repository : $"{Registry}/{Repository}";

    /// <summary>The host the distribution API is reached at (Docker Hub's differs from its name).</summary>
    public string ApiRegistry => Registry is null or DockerHub ? "registry-1.docker.io" : Registry;

    /// <summary>The repository in the distribution API (Docker Hub's official images live under library/).</summary>
    public string ApiRepository => Registry is null or DockerHub && !Repository.Contains('/') ? "library/" + Repository : Repository;

    /// <summary>The tag or digest to fetch a manifest by; a digest wins, as it pins content.</summary>
    public string Reference => Digest ?? Tag;

    public ImageName WithTag(string tag) => this with { Tag = tag, Digest = null };

    /// <summary>This image's tag and the further ones asked for (made valid tags), each once, this one first.</summary>
    public IReadOnlyList<string> TagsWith(IEnumerable<string> additional) =>
        new[] { Tag }.Concat(additional.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => OciReference.SanitizeTag(t.Trim())))
            .Distinct(StringComparer.Ordinal).ToList();

    public override string ToString() => $"{FullRepository}:{Tag}{(Digest is null ? "" : "@" + Digest)}";

    public static ImageName Parse(string text, string what)
    {
        var match = Pattern().Match(text.Trim());
        if (!match.Success)
        {
            throw MlOpsException.Of(DiagnosticCodes.ImageReferenceInvalid, $"The {what} '{text}' is not an image reference.", null,
                "Write [registry/]repository[:tag] with a lower-case repository, e.g. ghcr.io/acme/churn:1.0.0.");
        }
        var path = match.Groups["path"].Value;
        string? registry = null;
        var slash = path.IndexOf('/');
        if (slash > 0)
        {
            var first = path[..slash];
            if (first.Contains('.') || first.Contains(':') || first == "localhost")
            {
                registry = first;
                path = path[(slash + 1)..];
            }
        }
        if (!RepositoryPattern().IsMatch(path))
        {
            throw MlOpsException.Of(DiagnosticCodes.ImageReferenceInvalid, $"The {what} '{text}' has an invalid repository '{path}'.", null,
                "Repository names are lower-case letters, digits and '.', '_', '-' separated by '/'.");
        }
        return new ImageName(registry, path, match.Groups["tag"].Success ? match.Groups["tag"].Value : "latest",
            match.Groups["digest"].Success ? match.Groups["digest"].Value : null);
    }

    /// <summary>
    /// The default name of a model's image: <c>&lt;registry[/namespace]&gt;/&lt;model name&gt;:&lt;version&gt;</c>,
    /// with the name lower-cased and both made valid for a registry.
    /// </summary>
    public static ImageName ForModel(string? registry, string modelName, string version)
    {
        var repository = InvalidRepositoryCharacters().Replace(modelName.ToLowerInvariant(), "-").Trim('-', '.', '_');
        if (repository.Length == 0)
            repository = "model";
        var prefix = string.IsNullOrWhiteSpace(registry) ? "" : registry.Trim().TrimEnd('/') + "/";
        return Parse($"{prefix}{repository}:{OciReference.SanitizeTag(version)}", "image name");
    }

    [GeneratedRegex(@"^(?<path>[A-Za-z0-9.\-_:/\[\]]+?)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("[^a-z0-9._-]+")]
    private static partial Regex InvalidRepositoryCharacters();
}
