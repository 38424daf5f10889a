namespace MlOps.Ci.GitHub.Deployments;

/// <summary>
/// What a deployment carries in its <c>payload</c>: enough to redeploy it (rollback) and to tell which model version
/// an environment runs. The keys are the JSON names GitHub stores and shows.
/// </summary>
public sealed record DeploymentPayload(string Image, string ImageDigest, string ModelVersion, string Fingerprint)
{
    public const string ImageKey = "image";
    public const string ImageDigestKey = "imageDigest";
    public const string ModelVersionKey = "modelVersion";
    public const string FingerprintKey = "fingerprint";

    /// <summary>The digest in an image reference written repository@digest; empty for repository:tag.</summary>
    public static string DigestOf(string imageReference) =>
        imageReference.IndexOf('@', StringComparison.Ordinal) is var at and >= 0 ? imageReference[(at + 1)..] : "";

    public Dictionary<string, string> ToDictionary() => new(StringComparer.Ordinal)
    {
        [ImageKey] = Image,
        [ImageDigestKey] = ImageDigest,
        [ModelVersionKey] = ModelVersion,
        [FingerprintKey] = Fingerprint,
    };

    /// <summary>The payload of a deployment this tool made; null for any other deployment (no model version).</summary>
    public static DeploymentPayload? From(IReadOnlyDictionary<string, string>? payload) =>
        payload is not null && payload.TryGetValue(ModelVersionKey, out var version) && !string.IsNullOrEmpty(version)
            ? new DeploymentPayload(payload.GetValueOrDefault(ImageKey) ?? "", payload.GetValueOrDefault(ImageDigestKey) ?? "", version,
                payload.GetValueOrDefault(FingerprintKey) ?? "")
            : null;
}

/// <summary>A promotion: put <see cref="Payload"/> into <see cref="Environment"/> at commit <see cref="Sha"/>.</summary>
public sealed record PromotionRequest(string Environment, string Sha, DeploymentPayload Payload)
{
    /// <summary>Where the promoted model answers (the environment's URL on GitHub's deployment page).</summary>
    public string? EnvironmentUrl { get; init; }

    /// <summary>An environment in which the same model version must have succeeded first (e.g. staging).</summary>
    public string? RequiresEnvironment { get; init; }

    /// <summary>The workflow run's page (GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID), shown as the status log.</summary>
    public string? LogUrl { get; init; }

    public string? Description { get; init; }
}

/// <summary>What a promotion or rollback did; <see cref="DeploymentUrl"/> is the environment URL when one was given, else the deployment's API URL.</summary>
public sealed record PromotionResult(
    string Environment,
    long DeploymentId,
    string DeploymentUrl,
    string Sha,
    DeploymentPayload Payload,
    IReadOnlyList<long> DeactivatedDeploymentIds)
{
    public string ModelVersion => Payload.ModelVersion;
    public string Fingerprint => Payload.Fingerprint;
    public string Image => Payload.Image;
}
