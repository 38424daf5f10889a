using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Data;

public enum DataRole
{
    Training,
    Evaluation,
}

/// <summary>
/// One data file as validation saw it: <see cref="Location"/> as declared (relative path or URL), <see cref="Path"/>
/// the local file read; its content fingerprint is what later steps check they still read.
/// </summary>
public sealed record DataFileReport(string Location, string Path, DataRole Role, long Rows, string Fingerprint);

/// <summary>
/// What ValidateData hands to the later steps (obj/mlops/validation.json): the resolved schema and label classes, the
/// files read, and the fingerprints of every input (the model cache key among them).
/// </summary>
public sealed record ValidationReport(DataSchema Schema, LabelClasses Labels, IReadOnlyList<DataFileReport> Files, IReadOnlyList<Diagnostic> Warnings)
{
    public Versioning.InputFingerprints? Inputs { get; init; }

    /// <summary>The validated files of one role read into a table with the resolved schema (the caller has checked they are unchanged).</summary>
    public DataTable LoadTable(DataRole role) => DataTable.Load(Files.Where(f => f.Role == role).Select(f => f.Path), Schema);
}
