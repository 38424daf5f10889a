using System.Text.RegularExpressions;

namespace MlOps.Ci.Diagnostics;

public enum DiagnosticSeverity
{
    Warning,
    Error,
}

/// <summary>Where a diagnostic applies: a file and, when known, a 1-based line and column.</summary>
public sealed record SourceLocation(string File, int Line = 0, int Column = 0)
{
    public override string ToString() => (Line, Column) switch
    {
        (0, _) => File,
        (_, 0) => $"{File}({Line})",
        _ => $"{File}({Line},{Column})",
    };
}

/// <summary>
/// One problem a user can act on: a stable code (documented in docs/diagnostics.md), a message that names the
/// value at fault, where it is, and what to do about it.
/// </summary>
public sealed partial record Diagnostic(string Code, DiagnosticSeverity Severity, string Message, SourceLocation? Location = null, string? Hint = null)
{
    public static Diagnostic Error(string code, string message, SourceLocation? location = null, string? hint = null) =>
        new(code, DiagnosticSeverity.Error, message, location, hint);

    public static Diagnostic Warning(string code, string message, SourceLocation? location = null, string? hint = null) =>
        new(code, DiagnosticSeverity.Warning, message, location, hint);

    /// <summary>
    /// The canonical form that MSBuild, VS Code problem matchers and most CI log parsers understand:
    /// <c>file(line,col): error MLOPS1005: message</c>.
    /// </summary>
    /// <summary>
    /// Reads a diagnostic back from its canonical line as MSBuild prints it (leading indentation, and a trailing
    /// <c>[project]</c>, are allowed), so a shell over <c>dotnet build</c> can hand the engine's diagnostics to a CI
    /// system as annotations. Only MLOPS codes are read; other tools' lines are not ours to re-word.
    /// </summary>
    public static bool TryParse(string line, out Diagnostic diagnostic)
    {
        var match = CanonicalLine().Match(line);
        if (!match.Success)
        {
            diagnostic = null!;
            return false;
        }
        var file = match.Groups["file"].Value.Trim();
        var location = file is "mlops" or "" ? null
            : new SourceLocation(file, match.Groups["line"].Success ? int.Parse(match.Groups["line"].Value) : 0,
                match.Groups["col"].Success ? int.Parse(match.Groups["col"].Value) : 0);
        diagnostic = new Diagnostic(match.Groups["code"].Value, match.Groups["kind"].Value == "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
            match.Groups["message"].Value.Trim(), location);
        return true;
    }

    [GeneratedRegex(@"^\s*(?<file>[^(]*?)(\((?<line>\d+)(,(?<col>\d+))?\))?\s*:\s*(?<kind>error|warning) (?<code>MLOPS\d{4})\s*:\s*(?<message>.*?)(\s+\[[^\]]+\])?$")]
    private static partial Regex CanonicalLine();

    public override string ToString()
    {
        var where = Location is null ? "mlops" : Location.ToString();
        var kind = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        var hint = Hint is null ? "" : $" {Hint}";
        return $"{where}: {kind} {Code}: {Message}{hint}";
    }
}
