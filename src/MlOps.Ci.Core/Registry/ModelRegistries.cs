namespace MlOps.Ci.Registry;

/// <summary>Opens the registry a user names: oci://host/repository for a team, a folder path, or the default local folder.</summary>
public static class ModelRegistries
{
    /// <summary>$MLOPS_REGISTRY, else a folder in the user's data directory (~/.local/share/mlops-ci/registry on Linux).</summary>
    public static string DefaultLocation() =>
        Environment.GetEnvironmentVariable("MLOPS_REGISTRY") is { Length: > 0 } configured ? configured
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } data ? data
            : OperatingSystem.IsWindows() ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share"), "mlops-ci", "registry");

    public static IModelRegistry Open(string? location)
    {
        location = string.IsNullOrWhiteSpace(location) ? DefaultLocation() : location;
        return OciReference.LooksLikeReference(location) ? new OciModelRegistry(OciReference.Parse(location)) : new FolderModelRegistry(location);
    }
}
