using System.Text.RegularExpressions;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Registry;

/// <summary>
/// A reference to something in an OCI registry: <c>[oci://]host[:port]/repository[:tag][@sha256:digest]</c>, in the
/// grammar of the distribution spec (lower-case path components; tags of up to 128 word characters, '.' and '-').
/// </summary>
public sealed partial record OciReference(string Registry, string Repository, string? Tag = null, string? Digest = null)
{
    public const string Scheme = "oci://";

    /// <summary>The tag or digest to fetch a manifest by; a digest wins, as it pins content.</summary>
    public string Reference => Digest ?? Tag ?? "latest";

    public OciReference WithTag(string tag) => this with { Tag = tag, Digest = null };

    public OciReference WithRepository(string repository) => this with { Repository = repository };

    public override string ToString() => $"{Registry}/{Repository}{(Tag is null ? "" : ":" + Tag)}{(Digest is null ? "" : "@" + Digest)}";

    public static bool LooksLikeReference(string text) => text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    public static OciReference Parse(string text, SourceLocation? where = null)
    {
        var body = LooksLikeReference(text) ? text[Scheme.Length..] : text;
        var match = ReferencePattern().Match(body);
        if (!match.Success)
        {
            throw MlOpsException.Of(DiagnosticCodes.RegistryReferenceInvalid, $"'{text}' is not an OCI reference.", where,
                "Write oci://host[:port]/repository[:tag] with a lower-case repository, e.g. oci://ghcr.io/acme/models.");
        }
        return new OciReference(match.Groups["registry"].Value, match.Groups["repository"].Value,
            match.Groups["tag"].Success ? match.Groups["tag"].Value : null,
            match.Groups["digest"].Success ? match.Groups["digest"].Value : null);
    }

    /// <summary>Makes a tag from any text: the distribution spec allows [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.</summary>
    public static string SanitizeTag(string text)
    {
        var tag = InvalidTagCharacters().Replace(text, "-").TrimStart('.', '-');
        return tag.Length == 0 ? "latest" : tag.Length > 128 ? tag[..128] : tag;
    }

    [GeneratedRegex(@"^(?<registry>[A-Za-z0-9.-]+(:[0-9]+)?|\[[0-9a-fA-F:]+\](:[0-9]+)?)/(?<repository>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$")]
    private static partial Regex ReferencePattern();

    [GeneratedRegex("[^A-Za-z0-9_.-]")]
    private static partial Regex InvalidTagCharacters();
}
