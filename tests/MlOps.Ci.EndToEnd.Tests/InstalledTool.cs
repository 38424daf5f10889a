using Shouldly;

namespace MlOps.Ci.EndToEnd.Tests;

/// <summary>The mlops dotnet tool installed from artifacts/packages into a private tool path, as a user installs it.</summary>
public sealed class InstalledTool
{
    public InstalledTool(PackedSdk sdk)
    {
        _sdk = sdk;
        ToolPath = Path.Combine(sdk.PackagesCache, "tools");
        var install = Dotnet.Run(Repository.Root, sdk.Environment, "tool", "install", "MlOps.Ci.Cli", "--tool-path", ToolPath,
            "--add-source", Repository.PackagesFolder, "--version", sdk.Version);
        install.ExitCode.ShouldBe(0, install.ToString());
    }

    private readonly PackedSdk _sdk;

    public string ToolPath { get; }

    public ProcessResult Run(string workingDirectory, params string[] arguments) => RunWith(workingDirectory, new Dictionary<string, string?>(), arguments);

    /// <summary>Runs the tool with further environment variables (a CI runner's, say) over the SDK's own.</summary>
    public ProcessResult RunWith(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var merged = new Dictionary<string, string?>(_sdk.Environment);
        foreach (var (name, value) in environment)
            merged[name] = value;
        return Processes.Run(Path.Combine(ToolPath, "mlops"), workingDirectory, merged, arguments);
    }
}
