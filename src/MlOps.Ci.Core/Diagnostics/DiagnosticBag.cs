namespace MlOps.Ci.Diagnostics;

/// <summary>
/// Collects errors so a user sees many problems in one run, but stops a step once there are too many to read:
/// a file with a wrong separator would otherwise print one error per row.
/// </summary>
public sealed class DiagnosticBag(int maxErrors = 50)
{
    private readonly List<Diagnostic> _items = [];
    private int _errors;

    public IReadOnlyList<Diagnostic> Items => _items;
    public IEnumerable<Diagnostic> Warnings => _items.Where(d => d.Severity == DiagnosticSeverity.Warning);
    public bool HasErrors => _errors > 0;

    public void Add(Diagnostic diagnostic)
    {
        _items.Add(diagnostic);
        if (diagnostic.Severity != DiagnosticSeverity.Error)
            return;
        if (++_errors >= maxErrors)
        {
            _items.Add(Diagnostic.Error(DiagnosticCodes.TooManyErrors, $"Stopped after {maxErrors} errors.",
                diagnostic.Location is null ? null : new SourceLocation(diagnostic.Location.File),
                "Fix these first; a wrong separator or encoding often makes every row fail."));
            throw new MlOpsException(_items);
        }
    }

    /// <summary>Ends the step if any error was added.</summary>
    public void ThrowIfErrors()
    {
        if (HasErrors)
            throw new MlOpsException(_items.Where(d => d.Severity == DiagnosticSeverity.Error).ToList());
    }
}
