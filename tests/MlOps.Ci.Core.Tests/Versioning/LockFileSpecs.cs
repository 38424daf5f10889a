using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Core.Tests.Versioning;

/// <summary>mlops.lock.json: read strictly, and compared with the current inputs one input at a time.</summary>
public sealed class LockFileSpecs : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static readonly InputFingerprints Locked = new(
        ContentHash.OfText("model"),
        ContentHash.OfText("definition"),
        new TrainerInputs("FastTree", 42, new Dictionary<string, string> { ["NumberOfTrees"] = "100", ["LearningRate"] = "0.05" }),
        [
            new DataInput("data/train.csv", DataRole.Training, 100, ContentHash.OfText("train v1")),
            new DataInput("data/old.csv", DataRole.Training, 50, ContentHash.OfText("old")),
            new DataInput("data/test.csv", DataRole.Evaluation, 40, ContentHash.OfText("test v1")),
        ],
        new Dictionary<string, string> { ["dotnet"] = "10.0.0", ["mlNet"] = "5.0.1", ["os"] = "linux" });

    [Fact]
    public void A_lock_file_that_is_not_valid_JSON_fails_with_MLOPS6002_at_its_line_and_column()
    {
        var path = _folder.Write(LockFile.FileName, "{\n  \"version\": 1,\n  \"model\": churn\n}\n");

        var diagnostic = Failures.SingleOf(() => LockFile.Read(path));

        diagnostic.Code.ShouldBe(DiagnosticCodes.LockFileInvalid);
        diagnostic.Location.ShouldNotBeNull().File.ShouldBe(path);
        diagnostic.Location.Line.ShouldBe(3);
        diagnostic.Location.Column.ShouldBeGreaterThan(1);
    }

    [Fact]
    public void A_JSON_file_that_is_not_a_lock_file_fails_with_MLOPS6002()
    {
        var path = _folder.Write(LockFile.FileName, "{\"version\": 7}\n");

        Failures.SingleOf(() => LockFile.Read(path)).Code.ShouldBe(DiagnosticCodes.LockFileInvalid);
    }

    [Fact]
    public void A_missing_lock_file_reads_as_none()
    {
        LockFile.Read(_folder.PathOf(LockFile.FileName)).ShouldBeNull();
    }

    [Fact]
    public void A_written_lock_file_reads_back_and_matches_the_inputs_it_was_written_from()
    {
        var path = _folder.PathOf(LockFile.FileName);
        LockFile.From("churn", Locked).Write(path);

        var read = LockFile.Read(path).ShouldNotBeNull();

        read.Model.ShouldBe("churn");
        read.Fingerprint.ShouldBe(Locked.Model);
        read.Compare(Locked).ShouldBeEmpty();
        File.ReadAllText(path).ShouldNotContain(_folder.Root, customMessage: "a lock file holds no machine paths");
    }

    [Fact]
    public void Compare_names_each_changed_input()
    {
        var current = Locked with
        {
            Model = ContentHash.OfText("model v2"),
            // A hyperparameter is part of the model settings too; the named change explains it, so no vaguer entry is added.
            Definition = ContentHash.OfText("definition v2"),
            Trainer = Locked.Trainer with { Parameters = new Dictionary<string, string> { ["NumberOfTrees"] = "200", ["LearningRate"] = "0.05" } },
            Data =
            [
                new DataInput("data/train.csv", DataRole.Training, 101, ContentHash.OfText("train v2")),
                new DataInput("data/extra.csv", DataRole.Training, 10, ContentHash.OfText("extra")),
                new DataInput("data/test.csv", DataRole.Evaluation, 40, ContentHash.OfText("test v1")),
            ],
            Environment = new Dictionary<string, string> { ["dotnet"] = "10.0.1", ["mlNet"] = "5.0.1", ["os"] = "linux" },
        };

        var changes = LockFile.From("churn", Locked).Compare(current);

        changes.ShouldContain(c => c.Kind == ChangeKind.Modified && c.Input == "data/train.csv" && c.Role == DataRole.Training
            && c.Locked == ContentHash.OfText("train v1") && c.Current == ContentHash.OfText("train v2"));
        changes.ShouldContain(c => c.Kind == ChangeKind.Added && c.Input == "data/extra.csv" && c.Locked == null);
        changes.ShouldContain(c => c.Kind == ChangeKind.Removed && c.Input == "data/old.csv" && c.Current == null);
        changes.ShouldContain(c => c.Kind == ChangeKind.Modified && c.Input == "hyperparameter NumberOfTrees" && c.Locked == "100" && c.Current == "200");
        changes.ShouldContain(c => c.Kind == ChangeKind.Modified && c.Input == "environment dotnet" && c.Locked == "10.0.0" && c.Current == "10.0.1");
        changes.Count.ShouldBe(5, string.Join("; ", changes));
        changes.ShouldAllBe(c => c.AffectsModel);
        changes.Single(c => c.Input == "data/train.csv").ToString().ShouldContain("data/train.csv (training data) changed");
    }

    [Fact]
    public void A_change_of_evaluation_data_does_not_affect_the_model()
    {
        var current = Locked with
        {
            Data = [.. Locked.Data.Select(d => d.Role == DataRole.Evaluation ? d with { Fingerprint = ContentHash.OfText("test v2") } : d)],
        };

        var change = LockFile.From("churn", Locked).Compare(current).ShouldHaveSingleItem();

        change.Input.ShouldBe("data/test.csv");
        change.Role.ShouldBe(DataRole.Evaluation);
        change.AffectsModel.ShouldBeFalse();
    }

    [Fact]
    public void A_file_listed_twice_compares_without_error_and_a_change_in_how_often_it_is_listed_is_named()
    {
        var twice = Locked with { Data = [.. Locked.Data, Locked.Data[0]] };

        LockFile.From("churn", twice).Compare(twice).ShouldBeEmpty();
        var change = LockFile.From("churn", Locked).Compare(twice).ShouldHaveSingleItem();

        change.Kind.ShouldBe(ChangeKind.Modified);
        change.Input.ShouldBe("data/train.csv");
        change.Locked.ShouldBe("listed 1 times");
        change.Current.ShouldBe("listed 2 times");
        LockFile.From("churn", twice).Compare(Locked).ShouldHaveSingleItem().Current.ShouldBe("listed 1 times");
    }

    [Fact]
    public void A_change_of_model_settings_without_a_named_cause_is_reported_as_such()
    {
        var current = Locked with { Definition = ContentHash.OfText("definition v2") };

        var change = LockFile.From("churn", Locked).Compare(current).ShouldHaveSingleItem();

        change.Input.ShouldStartWith("model settings");
        change.AffectsModel.ShouldBeTrue();
    }
}
