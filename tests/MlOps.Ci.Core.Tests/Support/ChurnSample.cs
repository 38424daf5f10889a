namespace MlOps.Ci.Core.Tests.Support;

/// <summary>The churn sample's data (samples/churn/data), cut to a size that trains in about a second.</summary>
public static class ChurnSample
{
    public const string Label = "Churned";
    public const string Identifier = "CustomerId";

    public static string DataFolder => Path.Combine(RepositoryRoot.Path, "samples", "churn", "data");

    /// <summary>Copies the header and the first <paramref name="rows"/> rows of a sample file into the folder; returns the copy's path.</summary>
    public static string Copy(TempFolder folder, string file, int rows, string? target = null) =>
        folder.WriteLines(target ?? Path.Combine("data", file), File.ReadLines(Path.Combine(DataFolder, file)).Take(rows + 1));
}
