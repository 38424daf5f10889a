using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Core.Tests;

/// <summary>A declared schema file: read with line/column errors, and its rules enforced on every row.</summary>
public sealed class DeclaredSchemaSpecs : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly PipelineRunner _runner = new(NullLogger.Instance);

    public void Dispose() => _folder.Dispose();

    private PipelineDefinition DefinitionWith(string schemaJson, params string[] rows)
    {
        var training = _folder.WriteLines("data/train.csv", ["Age,Usage,Plan,Active,Bought", .. rows]);
        return Definitions.In(_folder, "Bought", [training]) with { SchemaFile = _folder.Write("schema.json", schemaJson) };
    }

    private static readonly string[] GoodRows =
    [
        "30,1.5,Basic,yes,Yes",
        "41,2.5,Plus,no,No",
        "52,0.5,Basic,no,No",
        "23,3.5,Plus,yes,Yes",
    ];

    [Fact]
    public void Declared_columns_win_over_inference()
    {
        var definition = DefinitionWith("""{ "columns": [ { "name": "Age", "type": "categorical" } ] }""", GoodRows);

        var report = _runner.Validate(definition);

        report.Schema.Find("Age").ShouldNotBeNull().Kind.ShouldBe(ColumnKind.Categorical);
        report.Schema.Find("Age")!.Declared.ShouldBeTrue();
        report.Schema.Find("Usage").ShouldNotBeNull().Kind.ShouldBe(ColumnKind.Numeric);
        report.Schema.Find("Usage")!.Declared.ShouldBeFalse();
    }

    [Fact]
    public void A_schema_file_that_is_not_valid_JSON_fails_naming_line_and_column()
    {
        var definition = DefinitionWith(
            """
            {
              "columns": [
                { "name": "Age" "type": "numeric" }
              ]
            }
            """, GoodRows);

        var diagnostic = Failures.SingleOf(() => _runner.Validate(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.SchemaFileInvalid);
        diagnostic.Location.ShouldBe(new SourceLocation(definition.SchemaFile!, 3, 21), "the quote that opens \"type\" where a comma belongs");
    }

    [Fact]
    public void A_value_outside_the_declared_allowed_set_fails_naming_line_and_column()
    {
        var definition = DefinitionWith("""{ "columns": [ { "name": "Plan", "type": "categorical", "allowed": ["Basic", "Plus"] } ] }""",
            [.. GoodRows, "35,1.0,Gold,no,No"]);

        var diagnostic = Failures.SingleOf(() => _runner.Validate(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.ValueNotAllowed);
        diagnostic.Location.ShouldBe(new SourceLocation(definition.TrainingData[0], 6, 3));
        diagnostic.Message.ShouldContain("'Gold'");
        diagnostic.Message.ShouldContain("Basic, Plus");
    }

    [Fact]
    public void A_value_out_of_the_declared_range_fails_naming_line_and_column()
    {
        var definition = DefinitionWith("""{ "columns": [ { "name": "Age", "type": "numeric", "minimum": 0, "maximum": 120 } ] }""",
            [GoodRows[0], "130,1.0,Basic,no,No", .. GoodRows[1..]]);

        var diagnostic = Failures.SingleOf(() => _runner.Validate(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.ValueOutOfRange);
        diagnostic.Location.ShouldBe(new SourceLocation(definition.TrainingData[0], 3, 1));
        diagnostic.Message.ShouldContain("130");
        diagnostic.Message.ShouldContain("[0, 120]");
    }

    [Fact]
    public void A_missing_value_in_a_required_column_fails_naming_line_and_column()
    {
        var definition = DefinitionWith("""{ "columns": [ { "name": "Usage", "type": "numeric", "required": true } ] }""",
            [.. GoodRows[..2], "44,NA,Basic,no,No", .. GoodRows[2..]]);

        var diagnostic = Failures.SingleOf(() => _runner.Validate(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.RequiredValueMissing);
        diagnostic.Location.ShouldBe(new SourceLocation(definition.TrainingData[0], 4, 2));
        diagnostic.Message.ShouldContain("'Usage'");
    }

    [Fact]
    public void A_missing_value_in_an_optional_column_is_accepted()
    {
        var definition = DefinitionWith("""{ "columns": [ { "name": "Usage", "type": "numeric", "required": false } ] }""",
            [.. GoodRows[..2], "44,NA,Basic,no,No", .. GoodRows[2..]]);

        _runner.Validate(definition).Files.ShouldHaveSingleItem().Rows.ShouldBe(5);
    }

    [Fact]
    public void A_declared_column_the_data_lacks_fails()
    {
        var definition = DefinitionWith("""{ "columns": [ { "name": "Region", "type": "categorical" } ] }""", GoodRows);

        var diagnostic = Failures.SingleOf(() => _runner.Validate(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.DeclaredColumnMissing);
        diagnostic.Message.ShouldContain("'Region'");
    }
}
