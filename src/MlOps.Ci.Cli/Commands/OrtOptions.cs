using System.CommandLine;
using MlOps.Ci.Runtime;

namespace MlOps.Ci.Cli.Commands;

/// <summary>
/// Which ONNX Runtime build a verb that scores a package (score, serve) loads, and from where. The build-side verbs take
/// the flavour from the pipeline definition (the SDK's <c>OrtFlavor</c>) and only the folder from here.
/// </summary>
internal sealed class OrtOptions
{
    public Option<string?> Flavor { get; } = new("--ort-flavor")
    {
        Description = $"Cpu (the build the tool ships) or Gpu ({OrtNativeLibrary.GpuPackageId} {OrtNativeLibrary.GpuPackageVersion}, linux-x64) (default: ${OrtNativeLibrary.FlavorVariable}, else Cpu).",
    };

    public Option<string?> NativeDirectory { get; } = new("--ort-native-directory")
    {
        Description = $"For the Gpu flavour: the folder holding its libonnxruntime.so (default: ${OrtNativeLibrary.DirectoryVariable}, else the package in the NuGet packages folder).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Flavor);
        command.Options.Add(NativeDirectory);
    }

    /// <summary>Loads the chosen build before the verb's first ONNX Runtime call, and says which it is.</summary>
    public OrtFlavor Use(ParseResult parse)
    {
        var flavor = ParseFlavor(parse.GetValue(Flavor) ?? EnvironmentDefaults.Get(OrtNativeLibrary.FlavorVariable));
        OrtNativeLibrary.Use(flavor, DirectoryFrom(parse, NativeDirectory));
        return flavor;
    }

    /// <summary>The GPU build's folder: the option, else $MLOPS_ORT_NATIVE_DIRECTORY, else null (the NuGet packages folder).</summary>
    public static string? DirectoryFrom(ParseResult parse, Option<string?> option) =>
        parse.GetValue(option) is { Length: > 0 } given ? given : EnvironmentDefaults.Get(OrtNativeLibrary.DirectoryVariable);

    private static OrtFlavor ParseFlavor(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return OrtFlavor.Cpu;
        return OrtSettings.TryParse<OrtFlavor>(text, out var flavor)
            ? flavor
            : throw Diagnostics.MlOpsException.Of(Diagnostics.DiagnosticCodes.UnknownOrtSetting, $"OrtFlavor '{text}' (--ort-flavor or ${OrtNativeLibrary.FlavorVariable}) is not known.",
                hint: "Use Cpu or Gpu.");
    }
}
