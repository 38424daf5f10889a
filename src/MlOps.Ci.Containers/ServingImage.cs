namespace MlOps.Ci.Containers;

/// <summary>
/// A serving image that was built or published: its reference, the engine's image id (Docker path) or the manifest
/// digest (after a push), its size, and what the smoke test checked.
/// </summary>
public sealed record ServingImage(string Reference, string? ImageId, string? Digest, long Size, SmokeTestResult? SmokeTest)
{
    /// <summary>The reference pinned by digest (repository@sha256:…), once pushed.</summary>
    public string? PinnedReference => Digest is null ? null : $"{Reference[..Reference.LastIndexOf(':')]}@{Digest}";
}

/// <summary>How many rows the smoke test sent and the largest difference it saw between the served and the packaged model.</summary>
public sealed record SmokeTestResult(int Rows, double LargestDifference, double Seconds);
