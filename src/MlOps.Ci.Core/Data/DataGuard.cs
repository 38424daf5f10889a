using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Data;

/// <summary>Later steps read the data validation checked; this makes sure it is still the same data.</summary>
public static class DataGuard
{
    public static void EnsureUnchanged(ValidationReport validation, DataRole role)
    {
        foreach (var file in validation.Files.Where(f => f.Role == role))
        {
            if (!File.Exists(file.Path))
            {
                throw MlOpsException.Of(DiagnosticCodes.DataFileNotFound, $"Data file '{file.Path}' was deleted after validation.", new SourceLocation(file.Path),
                    "Restore the file, or remove it from the project and build again.");
            }
            if (ContentHash.OfFile(file.Path) != file.Fingerprint)
            {
                throw MlOpsException.Of(DiagnosticCodes.DataChangedSinceValidation, $"Data file '{Path.GetFileName(file.Path)}' changed after it was validated.",
                    new SourceLocation(file.Path), "Run ValidateData again (a plain 'dotnet build' does).");
            }
        }
    }
}
