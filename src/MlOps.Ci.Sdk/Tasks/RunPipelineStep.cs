using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace MlOps.Ci.Sdk.Tasks;

/// <summary>
/// Runs the mlops engine in its own process: the out-of-date build steps in one go, or the status check. ML.NET and ONNX Runtime
/// load native libraries and keep state; running them outside MSBuild's (reused) nodes means a build never shares them
/// with another build, never locks the SDK's files, and a crash in native code fails the step instead of the build
/// server. The engine prints diagnostics in the canonical <c>file(line,col): error MLOPS1005: …</c> form, which
/// ToolTask turns into real MSBuild errors with file and line.
/// </summary>
public sealed class RunPipelineStep : ToolTask
{
    /// <summary>The engine verb: run (the steps in <see cref="Steps"/>) or status.</summary>
    [Required] public string Step { get; set; } = "";

    /// <summary>For run: the steps MSBuild found out of date (validate, train, evaluate, package).</summary>
    public string[] Steps { get; set; } = [];

    /// <summary>For run: the last step the invoked target needs.</summary>
    public string? Through { get; set; }

    /// <summary>The pipeline definition written by <see cref="WritePipelineDefinition"/>.</summary>
    [Required] public string DefinitionFile { get; set; } = "";

    /// <summary>The engine's entry assembly (tools/engine/mlops.dll in the SDK package).</summary>
    [Required] public string EngineAssembly { get; set; } = "";

    /// <summary><c>MlOpsLockMode</c>: Update, Locked or None.</summary>
    public string? LockMode { get; set; }

    /// <summary><c>MlOpsCacheMode</c>: ReadWrite, Read or Off.</summary>
    public string? CacheMode { get; set; }

    /// <summary><c>MlOpsCacheDirectory</c>: the local model cache; empty for the engine's default.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary><c>MlOpsRemoteCache</c>: oci://host/repository of a shared model cache; empty for none.</summary>
    public string? RemoteCache { get; set; }

    /// <summary><c>SweepShard</c> (<c>i/n</c>): run only this CI matrix job's share of the sweep's trials and build no model; empty for a whole build.</summary>
    public string? SweepShard { get; set; }

    /// <summary><c>SweepParallelism</c>: how many sweep fits run at once; empty for the processor count.</summary>
    public string? SweepParallelism { get; set; }

    /// <summary>Under <c>OrtFlavor=Gpu</c>: the restored GPU build's native folder; empty lets the engine look in the NuGet packages folder.</summary>
    public string? OrtNativeDirectory { get; set; }

    /// <summary>Further engine switches, e.g. <c>--json</c> for status.</summary>
    public string? ExtraArguments { get; set; }

    protected override string ToolName => OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";

    /// <summary>The same dotnet host that runs this build (the CLI sets DOTNET_HOST_PATH), so the engine runs on a runtime we know exists.</summary>
    protected override string GenerateFullPathToTool() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : ToolName;

    protected override string GenerateCommandLineCommands()
    {
        var builder = new CommandLineBuilder();
        builder.AppendSwitch("exec");
        builder.AppendFileNameIfNotNull(EngineAssembly);
        builder.AppendSwitch(Step);
        builder.AppendSwitch("--definition");
        builder.AppendFileNameIfNotNull(DefinitionFile);
        if (Steps.Length > 0)
            builder.AppendSwitchIfNotNull("--steps ", string.Join(",", Steps));
        builder.AppendSwitchIfNotNull("--through ", string.IsNullOrEmpty(Through) ? null : Through);
        builder.AppendSwitchIfNotNull("--lock-mode ", string.IsNullOrEmpty(LockMode) ? null : LockMode);
        builder.AppendSwitchIfNotNull("--cache-mode ", string.IsNullOrEmpty(CacheMode) ? null : CacheMode);
        builder.AppendSwitchIfNotNull("--cache-dir ", string.IsNullOrEmpty(CacheDirectory) ? null : CacheDirectory);
        builder.AppendSwitchIfNotNull("--remote-cache ", string.IsNullOrEmpty(RemoteCache) ? null : RemoteCache);
        builder.AppendSwitchIfNotNull("--sweep-shard ", string.IsNullOrWhiteSpace(SweepShard) ? null : SweepShard.Trim());
        builder.AppendSwitchIfNotNull("--sweep-parallelism ", string.IsNullOrWhiteSpace(SweepParallelism) ? null : SweepParallelism.Trim());
        if (!string.IsNullOrWhiteSpace(OrtNativeDirectory))
        {
            builder.AppendSwitch("--ort-native-directory");
            builder.AppendFileNameIfNotNull(OrtNativeDirectory.Trim());
        }
        if (!string.IsNullOrEmpty(ExtraArguments))
            builder.AppendTextUnquoted(" " + ExtraArguments);
        return builder.ToString();
    }

    protected override bool ValidateParameters()
    {
        if (File.Exists(EngineAssembly))
            return true;
        Log.LogError(null, "MLOPS5005", null, EngineAssembly, 0, 0, 0, 0, $"The mlops engine '{EngineAssembly}' is missing; the MlOps.Ci.Sdk package is incomplete. Clear it from the NuGet cache and restore again.");
        return false;
    }

    // Engine output carries results (metrics, gate verdicts) a user wants to see at the default verbosity.
    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.High;
}
