using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Core.Tests;

/// <summary>Bad data files: each fails validation with its own code, pointing at the file, line and column at fault.</summary>
public sealed class DataValidationSpecs : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly PipelineRunner _runner = new(NullLogger.Instance);

    public void Dispose() => _folder.Dispose();

    private PipelineDefinition DefinitionFor(string training, string? evaluation = null, string label = "Bought") =>
        Definitions.In(_folder, label, [training], evaluation is null ? null : [evaluation]);

    private string WriteTraining(params string[] lines) => _folder.WriteLines("data/train.csv", lines);

    [Fact]
    public void A_clean_file_validates_with_inferred_column_kinds_and_a_fingerprint()
    {
        var training = _folder.WriteLines("data/train.csv", SyntheticData.Binary(200, seed: 1));

        var report = _runner.Validate(DefinitionFor(training));

        report.Schema.Find("Age")!.Kind.ShouldBe(ColumnKind.Numeric);
        report.Schema.Find("Usage")!.Kind.ShouldBe(ColumnKind.Numeric);
        report.Schema.Find("Plan")!.Kind.ShouldBe(ColumnKind.Categorical);
        report.Schema.Find("Active")!.Kind.ShouldBe(ColumnKind.Boolean);
        report.Labels.Classes.ShouldBe(["No", "Yes"]);
        report.Labels.PositiveClass.ShouldBe("Yes");
        var file = report.Files.ShouldHaveSingleItem();
        file.Rows.ShouldBe(200);
        file.Fingerprint.ShouldBe(ContentHash.OfFile(training));
        File.Exists(PipelineWorkspace.For(DefinitionFor(training)).ValidationReportPath).ShouldBeTrue();
    }

    [Fact]
    public void A_missing_data_file_fails_validation_naming_the_file()
    {
        var absent = _folder.PathOf("data/absent.csv");

        var diagnostic = Failures.SingleOf(() => _runner.Validate(DefinitionFor(absent)));

        diagnostic.Code.ShouldBe(DiagnosticCodes.DataFileNotFound);
        diagnostic.Location.ShouldBe(new SourceLocation(absent));
    }

    [Fact]
    public void An_empty_data_file_fails_validation()
    {
        var empty = _folder.Write("data/train.csv", "");

        var diagnostic = Failures.SingleOf(() => _runner.Validate(DefinitionFor(empty)));

        diagnostic.Code.ShouldBe(DiagnosticCodes.DataFileEmpty);
        diagnostic.Location.ShouldBe(new SourceLocation(empty, 1, 1));
    }

    [Fact]
    public void A_data_file_with_only_a_header_fails_validation_at_its_second_line()
    {
        var headerOnly = WriteTraining("Age,Usage,Plan,Active,Bought");

        var diagnostic = Failures.SingleOf(() => _runner.Validate(DefinitionFor(headerOnly)));

        diagnostic.Code.ShouldBe(DiagnosticCodes.DataFileHasNoRows);
        diagnostic.Location.ShouldBe(new SourceLocation(headerOnly, 2, 1));
    }

    [Fact]
    public void A_ragged_row_fails_validation_naming_its_line()
    {
        var training = WriteTraining(
            "Age,Usage,Plan,Active,Bought",
            "30,1.5,Basic,yes,Yes",
            "41,2.5,Plus,no,No",
            "52,0.5,Pro",
            "23,3.5,Basic,no,No");

        var diagnostic = Failures.SingleOf(() => _runner.Validate(DefinitionFor(training)));

        diagnostic.Code.ShouldBe(DiagnosticCodes.RaggedRow);
        diagnostic.Location.ShouldNotBeNull();
        diagnostic.Location.File.ShouldBe(training);
        diagnostic.Location.Line.ShouldBe(4);
        diagnostic.Location.Column.ShouldBe(4, "the first column past the row's last value");
        diagnostic.Message.ShouldContain("3 values");
    }

    [Fact]
    public void An_unparsable_number_in_an_inferred_numeric_column_fails_validation_naming_line_and_column()
    {
        // Past the rows the schema is inferred from, so Usage is numeric and the bad value is a data error.
        var lines = SyntheticData.Binary(1100, seed: 2).ToList();
        var fields = lines[1050].Split(',');
        fields[1] = "12O";
        lines[1050] = string.Join(',', fields);
        var training = WriteTraining([.. lines]);

        var diagnostic = Failures.SingleOf(() => _runner.Validate(DefinitionFor(training)));

        diagnostic.Code.ShouldBe(DiagnosticCodes.UnparsableNumber);
        diagnostic.Location.ShouldBe(new SourceLocation(training, 1051, 2));
        diagnostic.Message.ShouldContain("'12O'");
        diagnostic.Message.ShouldContain("Usage");
        diagnostic.Hint.ShouldNotBeNull().ShouldContain("CategoricalColumn");
    }

    [Fact]
    public void A_label_column_absent_from_the_data_fails_validation_listing_the_columns()
    {
        var training = _folder.WriteLines("data/train.csv", SyntheticData.Binary(20, seed: 3));

        var diagnostic = Failures.SingleOf(() => _runner.Validate(DefinitionFor(training, label: "Churned")));

        diagnostic.Code.ShouldBe(DiagnosticCodes.LabelColumnMissing);
        diagnostic.Location.ShouldBe(new SourceLocation(training, 1, 1));
        diagnostic.Message.ShouldContain("'Churned'");
        diagnostic.Message.ShouldContain("Age, Usage, Plan, Active, Bought");
    }

    [Fact]
    public void A_label_with_one_class_fails_validation()
    {
        var training = WriteTraining(
            "Age,Usage,Plan,Active,Bought",
            "30,1.5,Basic,yes,Yes",
            "41,2.5,Plus,no,Yes",
            "52,0.5,Pro,no,Yes");

        var diagnostic = Failures.SingleOf(() => _runner.Validate(DefinitionFor(training)));

        diagnostic.Code.ShouldBe(DiagnosticCodes.LabelHasOneClass);
        diagnostic.Message.ShouldContain("'Yes'");
        diagnostic.Location.ShouldNotBeNull().File.ShouldBe(training);
    }

    [Fact]
    public void A_binary_label_with_three_classes_fails_validation()
    {
        var training = WriteTraining(
            "Age,Usage,Plan,Active,Bought",
            "30,1.5,Basic,yes,Yes",
            "41,2.5,Plus,no,No",
            "52,0.5,Pro,no,Maybe");

        var diagnostic = Failures.SingleOf(() => _runner.Validate(DefinitionFor(training)));

        diagnostic.Code.ShouldBe(DiagnosticCodes.BinaryLabelNotTwoClasses);
        diagnostic.Message.ShouldContain("3 classes");
        diagnostic.Hint.ShouldNotBeNull().ShouldContain("MulticlassClassification");
    }

    [Fact]
    public void A_duplicate_header_column_fails_validation_naming_its_position()
    {
        var training = WriteTraining(
            "Age,Usage,Age,Active,Bought",
            "30,1.5,31,yes,Yes",
            "41,2.5,42,no,No");

        var diagnostic = Failures.SingleOf(() => _runner.Validate(DefinitionFor(training)));

        diagnostic.Code.ShouldBe(DiagnosticCodes.DuplicateColumn);
        diagnostic.Location.ShouldBe(new SourceLocation(training, 1, 3));
        diagnostic.Message.ShouldContain("'Age'");
    }

    [Fact]
    public void An_evaluation_file_with_different_columns_fails_validation_naming_them()
    {
        var training = _folder.WriteLines("data/train.csv", SyntheticData.Binary(30, seed: 4));
        var evaluation = _folder.WriteLines("data/test.csv",
        [
            "Age,Usage,Region,Active,Bought",
            "30,1.5,North,yes,Yes",
        ]);

        var diagnostic = Failures.SingleOf(() => _runner.Validate(DefinitionFor(training, evaluation)));

        diagnostic.Code.ShouldBe(DiagnosticCodes.EvaluationColumnsDiffer);
        diagnostic.Location.ShouldBe(new SourceLocation(evaluation, 1, 1));
        diagnostic.Message.ShouldContain("missing Plan");
        diagnostic.Message.ShouldContain("unexpected Region");
    }

    [Fact]
    public void A_row_without_a_label_fails_validation_naming_line_and_column()
    {
        var training = WriteTraining(
            "Age,Usage,Plan,Active,Bought",
            "30,1.5,Basic,yes,Yes",
            "41,2.5,Plus,no,",
            "52,0.5,Pro,no,No");

        var diagnostic = Failures.SingleOf(() => _runner.Validate(DefinitionFor(training)));

        diagnostic.Code.ShouldBe(DiagnosticCodes.LabelValueMissing);
        diagnostic.Location.ShouldBe(new SourceLocation(training, 3, 5));
    }

    [Fact]
    public void An_evaluation_label_never_seen_in_training_fails_validation_where_it_first_occurs()
    {
        var training = _folder.WriteLines("data/train.csv", SyntheticData.Binary(30, seed: 6));
        var evaluation = _folder.WriteLines("data/test.csv",
        [
            "Age,Usage,Plan,Active,Bought",
            "30,1.5,Basic,yes,Yes",
            "31,1.5,Basic,yes,Perhaps",
        ]);

        var diagnostic = Failures.SingleOf(() => _runner.Validate(DefinitionFor(training, evaluation)));

        diagnostic.Code.ShouldBe(DiagnosticCodes.UnknownLabelInEvaluation);
        diagnostic.Location.ShouldBe(new SourceLocation(evaluation, 3, 5));
        diagnostic.Message.ShouldContain("'Perhaps'");
    }

    [Fact]
    public void An_ignored_column_the_data_lacks_fails_validation()
    {
        var training = _folder.WriteLines("data/train.csv", SyntheticData.Binary(30, seed: 7));

        var diagnostic = Failures.SingleOf(() => _runner.Validate(DefinitionFor(training) with { IgnoreColumns = ["CustomerId"] }));

        diagnostic.Code.ShouldBe(DiagnosticCodes.IgnoredColumnMissing);
        diagnostic.Message.ShouldContain("'CustomerId'");
    }

    [Fact]
    public void Ignoring_every_feature_fails_validation()
    {
        var training = _folder.WriteLines("data/train.csv", SyntheticData.Binary(30, seed: 8));

        var diagnostic = Failures.SingleOf(() => _runner.Validate(DefinitionFor(training) with { IgnoreColumns = ["Age", "Usage", "Plan", "Active"] }));

        diagnostic.Code.ShouldBe(DiagnosticCodes.NoFeatureColumns);
    }

    [Fact]
    public void A_definition_without_training_data_fails_validation()
    {
        var definition = Definitions.In(_folder, "Bought", []);

        Failures.SingleOf(() => _runner.Validate(definition)).Code.ShouldBe(DiagnosticCodes.NoTrainingData);
    }

    [Fact]
    public void A_column_with_a_new_value_in_every_row_passes_with_an_identifier_warning()
    {
        var lines = SyntheticData.Binary(150, seed: 9).Select((line, i) => i == 0 ? $"CustomerId,{line}" : $"C{i:0000},{line}");
        var training = _folder.WriteLines("data/train.csv", lines);

        var report = _runner.Validate(DefinitionFor(training));

        var warning = report.Warnings.ShouldHaveSingleItem();
        warning.Code.ShouldBe(DiagnosticCodes.IdentifierLikeColumn);
        warning.Severity.ShouldBe(DiagnosticSeverity.Warning);
        warning.Location.ShouldBe(new SourceLocation(training, 1, 1));
        warning.Hint.ShouldNotBeNull().ShouldContain("<IgnoreColumn Include=\"CustomerId\" />");
    }

    [Fact]
    public void A_failed_validation_deletes_the_earlier_validation_report()
    {
        var training = _folder.WriteLines("data/train.csv", SyntheticData.Binary(30, seed: 5));
        var definition = DefinitionFor(training);
        _runner.Validate(definition);
        var report = PipelineWorkspace.For(definition).ValidationReportPath;
        File.Exists(report).ShouldBeTrue();
        File.AppendAllText(training, "33,1.0\n");

        Failures.Of(() => _runner.Validate(definition)).ShouldContain(d => d.Code == DiagnosticCodes.RaggedRow);

        File.Exists(report).ShouldBeFalse("a stale report would let training run on data that no longer validates");
    }

    [Fact]
    public void Validation_stops_after_fifty_errors_with_MLOPS1102()
    {
        var lines = new List<string> { "Age,Usage,Plan,Active,Bought", "30,1.5,Basic,yes,Yes", "41,2.5,Plus,no,No" };
        lines.AddRange(Enumerable.Range(0, 80).Select(i => $"{20 + i};1.5;Basic;yes;No"));
        var training = WriteTraining([.. lines]);

        var diagnostics = Failures.Of(() => _runner.Validate(DefinitionFor(training)));

        diagnostics.Count.ShouldBe(51);
        diagnostics.Take(50).ShouldAllBe(d => d.Code == DiagnosticCodes.RaggedRow);
        diagnostics[0].Location.ShouldNotBeNull().Line.ShouldBe(4);
        diagnostics[49].Location.ShouldNotBeNull().Line.ShouldBe(53);
        diagnostics[50].Code.ShouldBe(DiagnosticCodes.TooManyErrors);
        diagnostics[50].Location.ShouldBe(new SourceLocation(training));
    }
}
