using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Runtime;

/// <summary>
/// Chooses the build of ONNX Runtime's native library (<see cref="OrtFlavor"/>) for this process. The managed
/// Microsoft.ML.OnnxRuntime assembly binds to "onnxruntime" on its first call; for the GPU build a DllImport resolver
/// sends that name to the GPU package's libonnxruntime.so, whose own loader then finds the CUDA provider libraries
/// beside it. A process holds one native ONNX Runtime for its lifetime, so the choice comes before the first ONNX
/// Runtime call and cannot change afterwards (the SDK runs the engine in a process of its own for this reason).
/// </summary>
public static class OrtNativeLibrary
{
    /// <summary>The GPU build's package and version; keep in step with OrtGpuPackageVersion in the SDK's Sdk.targets (a test checks).</summary>
    public const string GpuPackageId = "Microsoft.ML.OnnxRuntime.Gpu.Linux";
    public const string GpuPackageVersion = "1.31.0";

    /// <summary>The environment variables the CLI reads: the flavour, and where the GPU build's native folder is.</summary>
    public const string FlavorVariable = "MLOPS_ORT_FLAVOR";
    public const string DirectoryVariable = "MLOPS_ORT_NATIVE_DIRECTORY";

    private const string LibraryName = "onnxruntime";
    private const string LibraryFile = "libonnxruntime.so";

    private static readonly Lock Gate = new();
    private static OrtFlavor? _flavor;
    private static string? _directory;
    private static IntPtr _handle;

    /// <summary>The flavour this process uses: the one chosen by <see cref="Use"/>, else the CPU build the engine ships.</summary>
    public static OrtFlavor Flavor => _flavor ?? OrtFlavor.Cpu;

    /// <summary>The GPU build's native folder in use; null for the CPU build.</summary>
    public static string? Directory => _directory;

    /// <summary>
    /// Makes this process load <paramref name="flavor"/>'s native library. For the GPU build, <paramref name="nativeDirectory"/>
    /// is the folder holding its libonnxruntime.so (the SDK passes the restored package's runtimes/linux-x64/native); null
    /// looks in the NuGet packages folder. Calling it again with the same choice does nothing.
    /// </summary>
    /// <exception cref="MlOpsException">MLOPS2404 when the GPU build is missing or cannot run here; MLOPS2405 when this
    /// process already uses another build.</exception>
    public static void Use(OrtFlavor flavor, string? nativeDirectory = null)
    {
        if (!Enum.IsDefined(flavor))
            throw UnknownValue("OrtFlavor", flavor.ToString(), Enum.GetNames<OrtFlavor>());
        lock (Gate)
        {
            if (flavor == OrtFlavor.Cpu)
            {
                if (_flavor == OrtFlavor.Gpu)
                    throw Conflict(flavor, $"the GPU build from '{_directory}'");
                _flavor = OrtFlavor.Cpu;
                return;
            }

            var directory = Path.GetFullPath(string.IsNullOrWhiteSpace(nativeDirectory) ? DefaultGpuDirectory() : nativeDirectory);
            if (_flavor == OrtFlavor.Gpu && PathsEqual(_directory!, directory))
                return;
            // What the user can fix first: a build that is not there.
            EnsureGpuBuildFits(directory);
            if (_flavor is { } chosen)
                throw Conflict(flavor, chosen == OrtFlavor.Cpu ? "the CPU build" : $"the GPU build from '{_directory}'");
            if (LoadedFrom() is { } loaded)
                throw Conflict(flavor, $"'{loaded}'");
            try
            {
                NativeLibrary.SetDllImportResolver(typeof(InferenceSession).Assembly, Resolve);
            }
            catch (InvalidOperationException)
            {
                throw Conflict(flavor, "a DllImport resolver that another component installed");
            }
            _directory = directory;
            _flavor = OrtFlavor.Gpu;
        }
    }

    /// <summary>
    /// The GPU package's native folder in the NuGet packages folder ($NUGET_PACKAGES, else ~/.nuget/packages), where
    /// a restore with <c>-p:OrtFlavor=Gpu</c> puts it.
    /// </summary>
    public static string DefaultGpuDirectory()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(packages, GpuPackageId.ToLowerInvariant(), GpuPackageVersion, "runtimes", "linux-x64", "native");
    }

    /// <summary>The file this process mapped as ONNX Runtime's native library, or null when none is loaded yet (Linux; null elsewhere).</summary>
    public static string? LoadedFrom()
    {
        if (!OperatingSystem.IsLinux())
            return null;
        try
        {
            // /proc/self/maps lists every mapped file: the reliable way to tell whether (and which) libonnxruntime.so is in.
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var at = line.IndexOf('/');
                if (at >= 0 && line.EndsWith("/" + LibraryFile, StringComparison.Ordinal))
                    return line[at..];
            }
        }
        catch (IOException)
        {
        }
        return null;
    }

    internal static MlOpsException UnknownValue(string property, string value, IEnumerable<string> known) =>
        MlOpsException.Of(DiagnosticCodes.UnknownOrtSetting, $"{property} '{value}' is not known.",
            hint: $"Use one of: {string.Join(", ", known)} (e.g. -p:{property}={known.First()}).");

    private static void EnsureGpuBuildFits(string directory)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            throw MlOpsException.Of(DiagnosticCodes.OrtGpuBuildMissing,
                $"OrtFlavor=Gpu needs linux-x64: {GpuPackageId} has no build for {RuntimeInformation.RuntimeIdentifier}.",
                hint: "Use OrtFlavor=Cpu here; run the GPU flavour on a linux-x64 machine with an NVIDIA GPU.");
        }
        if (!File.Exists(Path.Combine(directory, LibraryFile)))
        {
            throw MlOpsException.Of(DiagnosticCodes.OrtGpuBuildMissing,
                $"OrtFlavor=Gpu, but the GPU build of ONNX Runtime is not in '{directory}' ({LibraryFile} is missing).",
                new SourceLocation(directory),
                $"Restore it: a 'dotnet build' (not --no-restore) or 'dotnet restore' of the model project with -p:OrtFlavor=Gpu downloads {GpuPackageId} {GpuPackageVersion}; "
                + $"or set {DirectoryVariable} to the folder that holds its {LibraryFile}.");
        }
    }

    private static IntPtr Resolve(string name, System.Reflection.Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName || _directory is null)
            return IntPtr.Zero;
        lock (Gate)
        {
            if (_handle == IntPtr.Zero)
                _handle = NativeLibrary.Load(Path.Combine(_directory, LibraryFile));
            return _handle;
        }
    }

    private static MlOpsException Conflict(OrtFlavor wanted, string current) =>
        MlOpsException.Of(DiagnosticCodes.OrtFlavorConflict, $"OrtFlavor={wanted} was asked for, but this process already uses {current}.",
            hint: "A process loads one ONNX Runtime: choose the flavour before the first model is loaded, and run models of another flavour in a process of their own (the SDK and 'mlops' do).");

    private static bool PathsEqual(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(a), Path.TrimEndingDirectorySeparator(b), StringComparison.Ordinal);
}
