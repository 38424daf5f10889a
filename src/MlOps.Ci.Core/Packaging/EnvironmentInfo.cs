using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;

namespace MlOps.Ci.Packaging;

/// <summary>
/// The environment a model was built in. Only the parts that can change a model go into its fingerprint
/// (<see cref="FingerprintParts"/>): versions of the runtime and libraries, OS family and architecture, not host names
/// or kernel builds.
/// </summary>
public sealed record EnvironmentInfo(
    string DotnetRuntime,
    string MlNetVersion,
    string OnnxRuntimeVersion,
    string MlOpsVersion,
    string OperatingSystem,
    string OsPlatform,
    string Architecture,
    int ProcessorCount)
{
    public static EnvironmentInfo Current { get; } = Capture();

    public IReadOnlyList<string> FingerprintParts =>
        [$"dotnet={DotnetRuntime}", $"ml.net={MlNetVersion}", $"onnxruntime={OnnxRuntimeVersion}", $"os={OsPlatform}", $"arch={Architecture}"];

    private static EnvironmentInfo Capture() => new(
        Environment.Version.ToString(),
        VersionOf(typeof(MLContext).Assembly),
        VersionOf(typeof(InferenceSession).Assembly),
        VersionOf(typeof(EnvironmentInfo).Assembly),
        RuntimeInformation.OSDescription,
        System.OperatingSystem.IsWindows() ? "windows" : System.OperatingSystem.IsMacOS() ? "macos" : System.OperatingSystem.IsLinux() ? "linux" : "other",
        RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
        Environment.ProcessorCount);

    private static string VersionOf(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        var plus = informational.IndexOf('+');
        return plus > 0 ? informational[..plus] : informational;
    }
}
