using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Caching;
using MlOps.Ci.Data;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Training.Features;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Training;
using MlOps.Ci.Training.External;
using MlOps.Ci.Training.Sweeps;
using MlOps.Ci.Versioning;

namespace MlOps.Ci.Core.Tests.External;

/// <summary>
/// Trainer=Command end to end through <see cref="PipelineRunner"/>, with real commands (/bin/sh, /bin/cp) and a real
/// ONNX model: what the command is given, what it must write, and every way it can fail.
/// </summary>
public sealed class ExternalTrainerSpecs : IClassFixture<ExternalModelFixture>, IDisposable
{
    private readonly ExternalModelFixture _model;
    private readonly TempFolder _folder = new();
    private readonly CapturingLogger _logger = new();
    private readonly PipelineDefinition _definition;

    public ExternalTrainerSpecs(ExternalModelFixture model)
    {
        _model = model;
        var training = _folder.WriteLines("data/train.csv", SyntheticData.Binary(200, seed: 3));
        var evaluation = _folder.WriteLines("data/test.csv", SyntheticData.Binary(120, seed: 4));
        _definition = Definitions.In(_folder, "Bought", [training], [evaluation], trainer: "Command") with
        {
            TrainerCommand = $"/bin/cp '{model.OnnxPath}' {{OnnxPath}}",
            QualityGates = [new QualityGate("AUC", Minimum: 0.6)],
        };
    }

    private PipelineWorkspace Workspace => PipelineWorkspace.For(_definition);

    private TrainingReport Train(PipelineDefinition definition, RunOptions? options = null)
    {
        var runner = new PipelineRunner(_logger, options);
        runner.Validate(definition);
        return runner.Train(definition);
    }

    private PipelineDefinition WithScript(string script, string arguments = "{OnnxPath}")
    {
        var path = _folder.Write("train.sh", "#!/bin/sh\n" + script + "\n");
        return _definition with { TrainerCommand = $"/bin/sh train.sh {arguments}", TrainerInputs = [path] };
    }

    [Fact]
    public void I_can_train_with_a_command_and_evaluate_and_package_its_model_like_any_other()
    {
        var definition = _definition with { Hyperparameters = new Dictionary<string, string> { ["C"] = "0.5" } };
        var runner = new PipelineRunner(_logger);

        runner.Run(definition, [PipelineStep.Validate, PipelineStep.Train, PipelineStep.Evaluate, PipelineStep.Package]);

        var card = ModelPackage.Read(definition.PackagePath).Card;
        card.Trainer.Name.ShouldBe("Command");
        card.Trainer.Command.ShouldNotBeNull().CommandLine.ShouldBe(definition.TrainerCommand);
        card.Trainer.Parameters.ShouldBe(new Dictionary<string, string> { ["C"] = "0.5" });
        card.Metrics["AUC"].ShouldBeGreaterThan(0.6);
        card.Gates.ShouldAllBe(g => g.Passed);
        card.Signature.Inputs.Select(i => i.Name).ShouldBe(["Age", "Usage", "Plan", "Active"], ignoreOrder: true);
        var training = MlOpsJson.ReadFile<TrainingReport>(Workspace.TrainingReportPath, DiagnosticCodes.StepInputMissing, "");
        training.OutputColumns.ShouldBe(["PredictedLabel", "Score", "Probability"], ignoreOrder: true);
        training.TrainingRows.ShouldBe(200);
        File.Exists(Workspace.ProfilePath).ShouldBeTrue();
        // The command's scratch folder goes once its model is in place: it held a copy of the data.
        Directory.Exists(TrainerWorkspace.For(definition).Directory).ShouldBeFalse();
    }

    [Fact]
    public void The_command_runs_in_the_project_folder_and_gets_each_placeholder_as_one_argument_even_with_spaces()
    {
        using var spaced = new TempFolder(Path.Combine(_folder.Root, "my model project"));
        var definition = WithScript($"""
            pwd > arguments.txt
            for argument in "$@"; do echo "$argument" >> arguments.txt; done
            cp '{_model.OnnxPath}' "$3"
            """, "{TrainingData} {LabelColumn} {OnnxPath} {Seed} {ModelTask} {ProjectDirectory} literal{{braces}}") with
        {
            ProjectFile = spaced.PathOf("model.mlproj"),
            IntermediateDirectory = spaced.PathOf("obj/mlops"),
            TrainerInputs = [],
            Seed = 7,
        };
        File.Move(_folder.PathOf("train.sh"), spaced.PathOf("train.sh"));

        Train(definition);

        var lines = File.ReadAllLines(spaced.PathOf("arguments.txt"));
        var trainer = TrainerWorkspace.For(definition);
        lines.ShouldBe([spaced.Root, trainer.TrainingDataPath, "Bought", trainer.OnnxPath, "7", "BinaryClassification", spaced.Root, "literal{braces}"]);
        trainer.TrainingDataPath.ShouldContain("my model project");
    }

    [Fact]
    public void The_command_gets_the_training_rows_as_the_model_will_see_them_with_the_schema_and_hyperparameters()
    {
        var definition = WithScript($"""
            cp "$1" seen-training.csv; cp "$2" seen-schema.json; cp "$3" seen-hyperparameters.json
            cp '{_model.OnnxPath}' "$4"
            """, "{TrainingData} {Schema} {Hyperparameters} {OnnxPath}") with
        {
            // Two training files arrive as one CSV; the ignored column is left out.
            TrainingData = [.. _definition.TrainingData, _folder.WriteLines("data/more.csv", SyntheticData.Binary(50, seed: 5))],
            Hyperparameters = new Dictionary<string, string> { ["C"] = "2", ["Penalty"] = "l2" },
        };

        Train(definition with { IgnoreColumns = [] });

        var rows = File.ReadAllLines(_folder.PathOf("seen-training.csv"));
        rows[0].ShouldBe("Age,Usage,Plan,Active,Bought");
        rows.Length.ShouldBe(1 + 200 + 50);
        // Booleans arrive as 0/1 and missing numbers as empty cells, exactly as evaluation and serving feed the model.
        rows.Skip(1).Select(r => r.Split(',')[3]).Distinct().Order().ShouldBe(["0", "1"]);
        rows.Skip(1).ShouldContain(r => r.Split(',')[1] == "");
        using var schema = JsonDocument.Parse(File.ReadAllText(_folder.PathOf("seen-schema.json")));
        schema.RootElement.GetProperty("label").GetString().ShouldBe("Bought");
        schema.RootElement.GetProperty("positiveClass").GetString().ShouldBe("Yes");
        schema.RootElement.GetProperty("features").EnumerateArray().Select(f => (f.GetProperty("name").GetString(), f.GetProperty("elementType").GetString()))
            .ShouldBe([("Age", "float"), ("Usage", "float"), ("Plan", "string"), ("Active", "float")]);
        using var hyperparameters = JsonDocument.Parse(File.ReadAllText(_folder.PathOf("seen-hyperparameters.json")));
        hyperparameters.RootElement.GetProperty("C").GetString().ShouldBe("2");
        hyperparameters.RootElement.GetProperty("Penalty").GetString().ShouldBe("l2");
    }

    [Fact]
    public void The_commands_output_is_streamed_to_the_log_while_it_runs()
    {
        var definition = WithScript($"""
            echo "epoch 1 of 2"
            echo "a warning on stderr" >&2
            cp '{_model.OnnxPath}' "$1"
            """);

        Train(definition);

        var messages = _logger.Entries.Select(e => e.Message).ToList();
        messages.ShouldContain("trainer: epoch 1 of 2");
        messages.ShouldContain("trainer: a warning on stderr");
    }

    [Fact]
    public void A_command_that_fails_is_an_error_quoting_the_end_of_its_stderr_and_leaves_no_model()
    {
        Train(_definition);
        File.Exists(Workspace.ModelPath).ShouldBeTrue();
        var failing = WithScript("""
            echo "loading data"
            echo "Traceback (most recent call last):" >&2
            echo "ValueError: could not convert string to float: 'abc'" >&2
            exit 3
            """);

        var diagnostic = Failures.SingleOf(() => Train(failing));

        diagnostic.Code.ShouldBe(DiagnosticCodes.TrainerCommandFailed);
        diagnostic.Message.ShouldContain("exited with code 3");
        diagnostic.Message.ShouldContain("ValueError: could not convert string to float: 'abc'");
        diagnostic.Location!.File.ShouldBe(_definition.ProjectFile);
        // Nothing of the earlier, successful run survives a failed one.
        File.Exists(Workspace.ModelPath).ShouldBeFalse();
        File.Exists(Workspace.TrainingReportPath).ShouldBeFalse();
        File.Exists(Workspace.ProfilePath).ShouldBeFalse();
        File.Exists(TrainerWorkspace.For(failing).OnnxPath).ShouldBeFalse();
        // Its inputs stay, so the command can be rerun by hand as the build ran it.
        File.Exists(TrainerWorkspace.For(failing).TrainingDataPath).ShouldBeTrue();
    }

    [Fact]
    public void A_command_that_writes_no_model_is_an_error()
    {
        var diagnostic = Failures.SingleOf(() => Train(WithScript("echo 'trained, but forgot to save'")));

        diagnostic.Code.ShouldBe(DiagnosticCodes.TrainerWroteNoModel);
        File.Exists(Workspace.ModelPath).ShouldBeFalse();
    }

    [Fact]
    public void A_file_onnx_runtime_cannot_load_is_an_error_and_is_not_kept()
    {
        var definition = WithScript("echo 'not a model' > \"$1\"");

        var diagnostic = Failures.SingleOf(() => Train(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.TrainerModelUnloadable);
        File.Exists(Workspace.ModelPath).ShouldBeFalse();
        File.Exists(TrainerWorkspace.For(definition).OnnxPath).ShouldBeFalse();
        File.Exists(Workspace.TrainingReportPath).ShouldBeFalse();
    }

    [Fact]
    public void A_model_whose_inputs_do_not_match_the_feature_columns_names_the_missing_extra_and_mistyped_ones()
    {
        // The model takes Age, Usage, Active (float) and Plan (string). This data has Plan as numbers, an extra Region
        // column, and Age ignored.
        var training = _folder.WriteLines("data/other.csv", SyntheticData.Binary(100, seed: 8).Select((line, i) =>
        {
            var cells = line.Split(',');
            cells[2] = i == 0 ? "Plan" : (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return string.Join(',', cells) + (i == 0 ? ",Region" : i % 2 == 0 ? ",North" : ",South");
        }));
        var definition = _definition with { TrainingData = [training], EvaluationData = [], IgnoreColumns = ["Age"] };

        var diagnostic = Failures.SingleOf(() => Train(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.TrainerModelInputsMismatch);
        diagnostic.Message.ShouldContain("missing input(s) for feature column(s) 'Region' (string)");
        diagnostic.Message.ShouldContain("extra input(s) 'Age'");
        diagnostic.Message.ShouldContain("input 'Plan' takes string, but column 'Plan' is numeric and arrives as float");
        File.Exists(PipelineWorkspace.For(definition).ModelPath).ShouldBeFalse();
    }

    [Fact]
    public void A_model_without_the_outputs_the_task_is_evaluated_on_is_an_error()
    {
        // A binary model for a three-class label: its PredictedLabel is a bool, not a class name.
        var training = _folder.WriteLines("data/tiers.csv", SyntheticData.Multiclass(150, seed: 9));
        var definition = _definition with
        {
            TrainingData = [training], EvaluationData = [], LabelColumn = "Tier", ModelTask = ModelTask.MulticlassClassification, QualityGates = [],
        };

        var diagnostic = Failures.SingleOf(() => Train(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.TrainerModelOutputsMismatch);
        diagnostic.Message.ShouldContain("output 'PredictedLabel' is Bool, not String");
    }

    [Fact]
    public void A_command_running_past_the_timeout_is_killed_with_its_child_processes()
    {
        var pidFile = _folder.PathOf("child.pid");
        var definition = WithScript($"sleep 300 & echo $! > '{pidFile}'; wait") with { TrainerTimeoutSeconds = 1 };

        var diagnostic = Failures.SingleOf(() => Train(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.TrainerCommandTimedOut);
        diagnostic.Message.ShouldContain("TrainerTimeout (1 s)");
        var child = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        IsRunning(child).ShouldBeFalse("the command's child process (sleep) outlived the timeout");
        File.Exists(Workspace.ModelPath).ShouldBeFalse();
    }

    [Fact]
    public void A_program_that_does_not_exist_is_an_error_naming_it()
    {
        var definition = _definition with { TrainerCommand = "./no-such-trainer {OnnxPath}" };

        var diagnostic = Failures.SingleOf(() => Train(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.TrainerCommandNotStarted);
        diagnostic.Message.ShouldContain("no-such-trainer");
    }

    [Theory]
    [InlineData(null, "MLOPS2301")]
    [InlineData("  ", "MLOPS2301")]
    [InlineData("python3 train.py --out {OnnxPath} --data {TrainData}", "MLOPS2303")]
    [InlineData("python3 train.py --out '{OnnxPath}", "MLOPS2302")]
    [InlineData("python3 train.py --data {TrainingData}", "MLOPS2302")]
    public void A_bad_trainer_command_fails_before_any_data_is_read(string? command, string code)
    {
        var diagnostic = Failures.SingleOf(() => DefinitionChecks.Check(_definition with { TrainerCommand = command }));

        diagnostic.Code.ShouldBe(code);
        diagnostic.Location!.File.ShouldBe(_definition.ProjectFile);
    }

    [Fact]
    public void An_unknown_placeholder_is_named_with_the_ones_that_exist()
    {
        var diagnostic = Failures.SingleOf(() => DefinitionChecks.Check(_definition with { TrainerCommand = "python3 train.py {OnnxPath} {Epochs}" }));

        diagnostic.Code.ShouldBe(DiagnosticCodes.UnknownTrainerPlaceholder);
        diagnostic.Message.ShouldContain("{Epochs}");
        diagnostic.Hint!.ShouldContain("{TrainingData}");
    }

    [Fact]
    public void A_trainer_input_that_does_not_exist_is_an_error_naming_it()
    {
        var diagnostic = Failures.SingleOf(() => DefinitionChecks.Check(_definition with { TrainerInputs = [_folder.PathOf("trian.py")] }));

        diagnostic.Code.ShouldBe(DiagnosticCodes.TrainerInputNotFound);
        diagnostic.Message.ShouldContain("trian.py");
    }

    [Fact]
    public void A_timeout_that_is_not_positive_is_an_error()
    {
        Failures.SingleOf(() => DefinitionChecks.Check(_definition with { TrainerTimeoutSeconds = 0 })).Code.ShouldBe(DiagnosticCodes.TrainerTimeoutInvalid);
    }

    [Fact]
    public void Feature_and_sweep_items_are_refused_with_a_command_because_the_command_builds_the_whole_graph()
    {
        var features = Failures.SingleOf(() => DefinitionChecks.Check(_definition with { Features = [new FeatureDeclaration("Usage", [FeatureTransform.Normalize])] }));
        var sweeps = Failures.SingleOf(() => DefinitionChecks.Check(_definition with { Sweeps = [new SweepParameter("C") { Values = ["0.1", "1"] }] }));

        features.Code.ShouldBe(DiagnosticCodes.FeatureWithExternalTrainer);
        features.Message.ShouldContain("Usage");
        sweeps.Code.ShouldBe(DiagnosticCodes.SweepWithExternalTrainer);
    }

    [Fact]
    public void Hyperparameters_are_the_commands_own_and_are_not_checked_against_an_ml_net_trainer()
    {
        Should.NotThrow(() => DefinitionChecks.Check(_definition with { Hyperparameters = new Dictionary<string, string> { ["n_estimators"] = "100" } }));
    }

    [Fact]
    public void Editing_a_trainer_input_changes_the_model_fingerprint_and_an_unchanged_one_restores_from_the_cache()
    {
        var options = new RunOptions { CacheMode = CacheMode.ReadWrite, CacheDirectory = _folder.PathOf("cache") };
        var definition = WithScript($"echo training; cp '{_model.OnnxPath}' \"$1\"");
        new PipelineRunner(_logger, options).Run(definition, [PipelineStep.Validate, PipelineStep.Train, PipelineStep.Evaluate, PipelineStep.Package]);
        var first = MlOpsJson.ReadFile<TrainingReport>(Workspace.TrainingReportPath, DiagnosticCodes.StepInputMissing, "");
        var card = ModelPackage.Read(definition.PackagePath).Card;
        card.Trainer.Command!.Inputs.ShouldBe(new Dictionary<string, string> { ["train.sh"] = ContentHash.OfFile(_folder.PathOf("train.sh")) });

        var restored = Train(definition, options);
        File.AppendAllText(_folder.PathOf("train.sh"), "# a comment changes the script\n");
        var retrained = Train(definition, options);

        restored.RestoredFrom.ShouldNotBeNull();
        restored.ModelFingerprint.ShouldBe(first.ModelFingerprint);
        restored.Command!.CommandLine.ShouldBe(definition.TrainerCommand);
        retrained.RestoredFrom.ShouldBeNull();
        retrained.ModelFingerprint.ShouldNotBe(first.ModelFingerprint);
    }

    [Fact]
    public void The_command_text_is_part_of_the_definition_fingerprint_and_its_timeout_is_not()
    {
        var baseline = InputFingerprints.OfDefinition(_definition, null);

        InputFingerprints.OfDefinition(_definition with { TrainerCommand = _definition.TrainerCommand + " --epochs 2" }, null).ShouldNotBe(baseline);
        InputFingerprints.OfDefinition(_definition with { TrainerTimeoutSeconds = 5 }, null).ShouldBe(baseline);
    }

    [Fact]
    public void A_trainer_input_edited_after_validation_is_not_trained_under_the_old_fingerprint()
    {
        var definition = WithScript($"cp '{_model.OnnxPath}' \"$1\"");
        var runner = new PipelineRunner(_logger);
        runner.Validate(definition);
        File.AppendAllText(_folder.PathOf("train.sh"), "# edited\n");

        var diagnostic = Failures.SingleOf(() => runner.Train(definition));

        diagnostic.Code.ShouldBe(DiagnosticCodes.TrainerInputChangedSinceValidation);
        diagnostic.Message.ShouldContain("train.sh");
    }

    [Fact]
    public void The_lock_file_shows_a_changed_trainer_input()
    {
        var definition = WithScript($"cp '{_model.OnnxPath}' \"$1\"");
        var update = new RunOptions { LockMode = LockMode.Update };
        Train(definition, update);
        File.AppendAllText(_folder.PathOf("train.sh"), "# edited\n");

        var status = new PipelineRunner(_logger, update).Status(definition);

        status.Changes.ShouldContain(c => c.Input == "trainer input train.sh" && c.Kind == ChangeKind.Modified);
    }

    /// <summary>Whether the process is alive: a killed one that is only waiting to be reaped (state Z) is not.</summary>
    private static bool IsRunning(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
            return false;
        var text = File.ReadAllText(stat);
        return text[(text.LastIndexOf(')') + 2)..].StartsWith('Z') is false;
    }

    public void Dispose() => _folder.Dispose();
}
