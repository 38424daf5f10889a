using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Data;

public enum DataRole
{
    Training,
    Evaluation,
}

/// <summary>One data file as validation saw it: its content fingerprint is what later steps check they still read.</summary>
public sealed record DataFileReport(string Path, DataRole Role, long Rows, string Fingerprint);

/// <summary>What ValidateData hands to the later steps (obj/mlops/validation.json).</summary>
public sealed record ValidationReport(DataSchema Schema, LabelClasses Labels, IReadOnlyList<DataFileReport> Files, IReadOnlyList<Diagnostic> Warnings);
