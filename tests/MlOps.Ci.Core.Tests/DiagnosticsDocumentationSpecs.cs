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

public sealed class CanonicalDiagnosticLineSpecs
{
    [Theory]
    [InlineData("  /src/m/churn.mlproj(12,5): error MLOPS3002: Quality gate failed: AUC = 0.8 is below 0.9. Improve it. [/src/m/churn.mlproj]",
        "/src/m/churn.mlproj", 12, 5, "MLOPS3002", "Quality gate failed: AUC = 0.8 is below 0.9. Improve it.")]
    [InlineData("data/train.csv(101,2): error MLOPS1005: 'twelve' in column 'Tenure' is not a number.", "data/train.csv", 101, 2, "MLOPS1005",
        "'twelve' in column 'Tenure' is not a number.")]
    [InlineData("churn.mlproj: warning MLOPS1013: a warning", "churn.mlproj", 0, 0, "MLOPS1013", "a warning")]
    public void A_canonical_line_reads_back_into_the_diagnostic_it_was_printed_from(string line, string file, int row, int column, string code, string message)
    {
        Diagnostic.TryParse(line, out var diagnostic).ShouldBeTrue();

        diagnostic.Code.ShouldBe(code);
        diagnostic.Location.ShouldBe(new SourceLocation(file, row, column));
        diagnostic.Message.ShouldBe(message);
    }

    [Theory]
    [InlineData("Build succeeded.")]
    [InlineData("Program.cs(3,1): error CS1002: ; expected")]
    public void Lines_that_are_not_MLOPS_diagnostics_are_left_alone(string line) => Diagnostic.TryParse(line, out _).ShouldBeFalse();

    [Fact]
    public void A_diagnostic_survives_a_round_trip_through_its_canonical_form()
    {
        var original = Diagnostic.Error("MLOPS1004", "Row 7 has 3 values; the header has 4.", new SourceLocation("data/x.csv", 7, 1));

        Diagnostic.TryParse(original.ToString(), out var read).ShouldBeTrue();

        read.ShouldBe(original);
    }
}
