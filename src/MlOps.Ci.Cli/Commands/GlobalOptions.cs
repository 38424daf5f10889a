using System.CommandLine;

namespace MlOps.Ci.Cli.Commands;

/// <summary>Options every verb takes.</summary>
internal sealed class GlobalOptions
{
    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Print debug detail.", Recursive = true };
    public Option<bool> Json { get; } = new("--json") { Description = "Print the result as one JSON document on stdout (logs go to stderr).", Recursive = true };
}
