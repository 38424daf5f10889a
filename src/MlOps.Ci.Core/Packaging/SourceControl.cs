using LibGit2Sharp;

namespace MlOps.Ci.Packaging;

/// <summary>The commit a model was built from, and whether the work tree had uncommitted changes.</summary>
public sealed record SourceInfo(string? Commit, bool Dirty, string? Branch)
{
    public static SourceInfo None { get; } = new(null, false, null);
}

public static class SourceControl
{
    public static SourceInfo Describe(string directory)
    {
        try
        {
            var root = Repository.Discover(directory);
            if (root is null)
                return SourceInfo.None;
            using var repository = new Repository(root);
            if (repository.Head?.Tip is not { } tip)
                return SourceInfo.None;
            var dirty = repository.RetrieveStatus(new StatusOptions { IncludeUntracked = false, IncludeIgnored = false }).IsDirty;
            return new SourceInfo(tip.Sha, dirty, repository.Head.FriendlyName);
        }
        catch (LibGit2SharpException)
        {
            // A damaged or unusual repository must not stop a build: the card then says the commit is unknown.
            return SourceInfo.None;
        }
    }
}
