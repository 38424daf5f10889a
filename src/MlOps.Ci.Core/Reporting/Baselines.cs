using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Reporting;

/// <summary>
/// Finds the model a candidate is compared with: a package path, or a tag of the same model (such as
/// <c>production</c>) in a registry.
/// </summary>
public static class Baselines
{
    /// <summary>
    /// The baseline package, or null with a note saying why (none given, or not found: a first model has none). A
    /// registry that cannot be reached is an error, not a missing baseline: gating without it would pass silently.
    /// </summary>
    public static (ModelPackage? Package, string? Source) Load(string? baseline, string? registryLocation, string modelName, List<Diagnostic> notes)
    {
        if (string.IsNullOrWhiteSpace(baseline))
        {
            notes.Add(Diagnostic.Warning(DiagnosticCodes.BaselineNotFound, "No baseline was given, so only the absolute bounds of the quality gates apply.",
                hint: "Pass --baseline (a .mlpkg path or a registry tag such as 'production') to gate on regression too."));
            return (null, null);
        }
        if (LooksLikePath(baseline))
        {
            if (File.Exists(baseline))
                return (ModelPackage.Read(Path.GetFullPath(baseline)), baseline);
            notes.Add(Diagnostic.Warning(DiagnosticCodes.BaselineNotFound,
                $"The baseline package '{baseline}' does not exist: treated as the first model, so only the absolute bounds apply.", new SourceLocation(baseline),
                "If a baseline was expected, check the path (e.g. the artifact of the base branch's build)."));
            return (null, baseline);
        }

        var registry = ModelRegistries.Open(registryLocation);
        var temporary = Path.Combine(Path.GetTempPath(), $"mlops-baseline-{Guid.NewGuid():N}{ModelPackage.Extension}");
        try
        {
            var source = $"{modelName}:{baseline} in {registry.Description}";
            if (registry.PullAsync(modelName, baseline, temporary).GetAwaiter().GetResult() is null)
            {
                notes.Add(Diagnostic.Warning(DiagnosticCodes.BaselineNotFound,
                    $"The registry has no '{baseline}' tag of {modelName} ({registry.Description}): treated as the first model, so only the absolute bounds apply.",
                    hint: "Normal for a model's first pull request; otherwise check --baseline and --registry (MLOPS_REGISTRY)."));
                return (null, source);
            }
            return (ModelPackage.Read(temporary), source);
        }
        finally
        {
            AtomicFile.TryDelete(temporary);
        }
    }

    private static bool LooksLikePath(string value) =>
        value.EndsWith(ModelPackage.Extension, StringComparison.OrdinalIgnoreCase) || value.Contains('/') || value.Contains('\\') || File.Exists(value);
}
