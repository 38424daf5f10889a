namespace MlOps.Ci.Diagnostics;

/// <summary>A failure the user caused and can fix; carries every diagnostic found before the step gave up.</summary>
public sealed class MlOpsException : Exception
{
    public MlOpsException(Diagnostic diagnostic, Exception? inner = null)
        : this([diagnostic], inner)
    {
    }

    public MlOpsException(IReadOnlyList<Diagnostic> diagnostics, Exception? inner = null)
        : base(diagnostics.Count > 0 ? diagnostics[0].ToString() : "MlOps.Ci step failed.", inner)
    {
        if (diagnostics.Count == 0)
            throw new ArgumentException("At least one diagnostic is required.", nameof(diagnostics));
        Diagnostics = diagnostics;
    }

    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>
    /// What the step had produced when it failed, where that is still worth reporting (a failed gate still has its
    /// metrics and verdicts): the CLI publishes its step outputs, e.g. <c>gate-passed=false</c>.
    /// </summary>
    public object? PartialResult { get; init; }

    public static MlOpsException Of(string code, string message, SourceLocation? location = null, string? hint = null) =>
        new(Diagnostic.Error(code, message, location, hint));
}
