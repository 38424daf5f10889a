namespace MlOps.Ci.Cli.Progress;

/// <summary>How long work shows how far it is.</summary>
internal enum ProgressStyle
{
    /// <summary>Spectre.Console bars redrawn in place: a person watching a terminal.</summary>
    Live,

    /// <summary>A plain line on stderr at most every few seconds: CI logs, pipes, files and --json, which redrawn bars would litter.</summary>
    Plain,
}

/// <summary>The one place that decides between live bars and plain lines, for every verb.</summary>
internal static class ProgressPolicy
{
    /// <summary>Variables whose presence means a CI runner (GitHub Actions, Azure Pipelines, and the generic CI that most set).</summary>
    private static readonly string[] CiVariables = ["GITHUB_ACTIONS", "TF_BUILD"];

    /// <param name="json">--json: stdout carries one document, so nothing may be drawn on it.</param>
    /// <param name="outputRedirected">Whether stdout goes to a file or a pipe rather than a terminal.</param>
    /// <param name="environment">Reads an environment variable (null when unset).</param>
    public static ProgressStyle Choose(bool json, bool outputRedirected, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (json || outputRedirected)
            return ProgressStyle.Plain;
        if (IsSet(environment("CI")) || CiVariables.Any(name => IsSet(environment(name))))
            return ProgressStyle.Plain;
        // A terminal that cannot move the cursor would print every redraw as a new line.
        if (string.Equals(environment("TERM"), "dumb", StringComparison.Ordinal))
            return ProgressStyle.Plain;
        return ProgressStyle.Live;
    }

    public static ProgressStyle ForThisProcess(bool json) =>
        Choose(json, Console.IsOutputRedirected, Environment.GetEnvironmentVariable);

    /// <summary>Set, and not an explicit "false"/"0" (CI=false is a common way to say "not CI").</summary>
    private static bool IsSet(string? value) =>
        !string.IsNullOrWhiteSpace(value) && !value.Trim().Equals("false", StringComparison.OrdinalIgnoreCase) && value.Trim() != "0";
}
