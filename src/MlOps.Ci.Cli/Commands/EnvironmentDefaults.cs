using System.CommandLine;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Cli.Commands;

/// <summary>
/// The environment variables every verb reads as defaults for its common options. This is the whole contract with the
/// GitHub Action and the Azure DevOps task: they export their inputs under these names and run <c>mlops VERB</c>,
/// without knowing which verb takes which option.
/// </summary>
internal static class EnvironmentDefaults
{
    public const string Project = "MLOPS_PROJECT";
    public const string Package = "MLOPS_PACKAGE";
    public const string Baseline = "MLOPS_BASELINE";
    public const string Image = "MLOPS_IMAGE";

    public static string? Get(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;

    /// <summary>The file a variable names, or null when it is unset: the default of a file option.</summary>
    public static FileInfo? FileFrom(string variable) => Get(variable) is { } path ? new FileInfo(path) : null;

    /// <summary>A <c>--package</c> option that defaults to $MLOPS_PACKAGE; <see cref="RequirePackage"/> checks it was given.</summary>
    public static Option<FileInfo?> PackageOption(string description) => new("--package", "-p")
    {
        Description = $"{description} (default: ${Package}).",
        DefaultValueFactory = _ => FileFrom(Package),
    };

    public static FileInfo RequirePackage(FileInfo? package) => package ?? throw MlOpsException.Of(DiagnosticCodes.PackageInvalid,
        "No model package: give --package or set MLOPS_PACKAGE.", hint: "The build writes it to bin/<Configuration>/<ModelName>.mlpkg; the Action's and the task's 'package' input set MLOPS_PACKAGE.");
}
