using System.Reflection;
using System.Text.RegularExpressions;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Core.Tests;

/// <summary>Every diagnostic code a user can meet is documented in docs/diagnostics.md, and the table lists no other.</summary>
public sealed partial class DiagnosticsDocumentationSpecs
{
    private static readonly string DocumentPath = Path.Combine(RepositoryRoot.Path, "docs", "diagnostics.md");

    private static IReadOnlyList<(string Name, string Code)> Codes() =>
        typeof(DiagnosticCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (f.Name, (string)f.GetRawConstantValue()!))
            .ToList();

    [GeneratedRegex(@"MLOPS\d{4}")]
    private static partial Regex CodePattern();

    [Fact]
    public void Every_diagnostic_code_is_documented()
    {
        File.Exists(DocumentPath).ShouldBeTrue($"{DocumentPath} documents every MLOPS code");
        var document = File.ReadAllText(DocumentPath);

        Codes().Where(c => !document.Contains(c.Code, StringComparison.Ordinal)).Select(c => $"{c.Code} ({c.Name})").ShouldBeEmpty();
    }

    [Fact]
    public void The_documentation_lists_no_code_that_does_not_exist()
    {
        File.Exists(DocumentPath).ShouldBeTrue($"{DocumentPath} documents every MLOPS code");
        var known = Codes().Select(c => c.Code).ToHashSet();

        CodePattern().Matches(File.ReadAllText(DocumentPath)).Select(m => m.Value).Distinct().Where(code => !known.Contains(code)).ShouldBeEmpty();
    }

    [Fact]
    public void Diagnostic_codes_are_unique_and_well_formed()
    {
        var codes = Codes();

        codes.Count.ShouldBeGreaterThan(30);
        codes.ShouldAllBe(c => CodePattern().IsMatch(c.Code) && c.Code.Length == 9);
        codes.Select(c => c.Code).ShouldBeUnique();
    }
}
