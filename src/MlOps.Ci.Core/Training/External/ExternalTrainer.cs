using System.ComponentModel;
using System.Globalization;
using Microsoft.Extensions.Logging;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Evaluation;
using MlOps.Ci.IO;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Training.External;

/// <summary>
/// <c>Trainer=Command</c>: a command the project names (a Python script, any program) trains the model and writes it as
/// ONNX. It replaces only the training: the model it writes is checked against the data, then evaluated, gated,
/// packaged, cached and served exactly like one MlOps.Ci trained.
/// </summary>
public static class ExternalTrainer
{
    public const string Name = "Command";

    public static bool Handles(PipelineDefinition definition) => string.Equals(definition.Trainer, Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The definition checks of Trainer=Command: run before any data is read, like the ML.NET trainers' hyperparameter checks.</summary>
    public static void Check(PipelineDefinition definition)
    {
        var where = new SourceLocation(definition.ProjectFile);
        if (string.IsNullOrWhiteSpace(definition.TrainerCommand))
        {
            throw MlOpsException.Of(DiagnosticCodes.TrainerCommandMissing, "Trainer is Command, but TrainerCommand is not set.", where,
                "Add <TrainerCommand>/usr/bin/python3 train.py --data {TrainingData} --out {OnnxPath}</TrainerCommand> to a PropertyGroup.");
        }
        TrainerCommandLine.Parse(definition.TrainerCommand, where);
        if (definition.TrainerTimeoutSeconds <= 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.TrainerTimeoutInvalid, $"TrainerTimeout is {definition.TrainerTimeoutSeconds}; it must be a positive number of seconds.", where,
                $"Set <TrainerTimeout> to the seconds training may take (the default is {PipelineDefinition.DefaultTrainerTimeoutSeconds}).");
        }
        if (definition.Features.Count > 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.FeatureWithExternalTrainer,
                $"Feature items ({string.Join(", ", definition.Features.Select(f => f.Column))}) cannot apply with Trainer=Command: they shape the featurization " +
                "MlOps.Ci builds into its own ONNX graph, and a trainer command builds the whole graph itself, so they would be silently ignored.", where,
                "Remove the Feature items and featurize inside the command's model (the churn-python sample one-hot encodes, imputes and scales in the graph).");
        }
        // Sweep items with a command are refused by SweepChecks (MLOPS2211), which runs first.
        TrainerInputFiles.EnsureExist(definition);
    }

    /// <summary>
    /// Runs the command, checks the ONNX model it wrote, and writes the step's outputs — profile, training.json and,
    /// last, model.onnx — only when every check passed. The caller has removed the previous outputs.
    /// </summary>
    public static TrainingReport Train(PipelineDefinition definition, ValidationReport validation, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(validation);
        var where = new SourceLocation(definition.ProjectFile);
        var commandText = definition.TrainerCommand ?? throw MlOpsException.Of(DiagnosticCodes.TrainerCommandMissing, "Trainer is Command, but TrainerCommand is not set.", where);
        var commandLine = TrainerCommandLine.Parse(commandText, where);
        var workspace = PipelineWorkspace.For(definition);
        var trainer = TrainerWorkspace.For(definition);
        var projectDirectory = DataSource.ProjectDirectory(definition);
        var table = validation.LoadTable(DataRole.Training);

        trainer.Prepare(definition, table, validation.Labels);
        try
        {
            var arguments = commandLine.Expand(new Dictionary<string, string>
            {
                ["TrainingData"] = trainer.TrainingDataPath,
                ["Schema"] = trainer.SchemaPath,
                ["OnnxPath"] = trainer.OnnxPath,
                ["Hyperparameters"] = trainer.HyperparametersPath,
                ["LabelColumn"] = definition.LabelColumn,
                ["ModelTask"] = definition.ModelTask.ToString(),
                ["Seed"] = definition.Seed.ToString(CultureInfo.InvariantCulture),
                ["ProjectDirectory"] = projectDirectory,
            }, where);
            var program = ResolveProgram(arguments[0], projectDirectory);
            logger.LogInformation("Training with the trainer command: {Command}", commandText);
            var result = Run([program, .. arguments.Skip(1)], projectDirectory, definition, logger);
            EnsureSucceeded(result, commandText, definition, where);
            if (!File.Exists(trainer.OnnxPath) || new FileInfo(trainer.OnnxPath).Length == 0)
            {
                throw MlOpsException.Of(DiagnosticCodes.TrainerWroteNoModel, $"The trainer command '{commandText}' exited 0 but wrote no ONNX model to {{OnnxPath}}.", where,
                    "Write the model (e.g. onnx.save(model, path)) to the path the command receives as {OnnxPath}, not to a path of its own.");
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            IReadOnlyList<string> outputs;
            using (var scorer = Load(trainer.OnnxPath, commandText, where))
                outputs = ExternalModelContract.Check(scorer, table, definition, validation.Labels, commandText);
            var checkSeconds = clock.Elapsed.TotalSeconds;

            var report = new TrainingReport(Name, definition.ModelTask, definition.Seed, definition.Hyperparameters, table.RowCount,
                table.Features.Select(f => f.Name).ToList(), outputs, result.Elapsed.TotalSeconds, checkSeconds)
            {
                ModelFingerprint = validation.Inputs?.Model ?? "",
                Command = new ExternalCommandInfo(commandText, validation.Inputs?.Trainer.Files ?? new Dictionary<string, string>()),
            };
            MlOpsJson.WriteFile(workspace.ProfilePath, DataProfiler.Profile(table));
            MlOpsJson.WriteFile(workspace.TrainingReportPath, report);
            // Last, and by rename within obj/mlops: model.onnx is the step's MSBuild output, so it appears whole or not at all.
            File.Move(trainer.OnnxPath, workspace.ModelPath, overwrite: true);
            trainer.Clean();
            return report;
        }
        finally
        {
            // After a failure the command's inputs stay for a rerun by hand; a model that failed its checks never does.
            AtomicFile.TryDelete(trainer.OnnxPath);
        }
    }

    private static TrainerProcessResult Run(IReadOnlyList<string> command, string projectDirectory, PipelineDefinition definition, ILogger logger)
    {
        try
        {
            return TrainerProcess.Run(command, projectDirectory, TimeSpan.FromSeconds(definition.TrainerTimeoutSeconds), logger);
        }
        catch (Win32Exception exception)
        {
            throw MlOpsException.Of(DiagnosticCodes.TrainerCommandNotStarted, $"The trainer command's program '{command[0]}' cannot be started: {exception.Message}",
                new SourceLocation(definition.ProjectFile), "Name a program that exists and is executable: an absolute path, one on PATH, or a path relative to the project folder.");
        }
    }

    private static void EnsureSucceeded(TrainerProcessResult result, string commandText, PipelineDefinition definition, SourceLocation where)
    {
        var stderr = result.LastErrorLines.Count == 0 ? "" : $" Last lines of its stderr: {string.Join(" | ", result.LastErrorLines.Select(l => l.Trim()).Where(l => l.Length > 0))}";
        if (result.TimedOut)
        {
            throw MlOpsException.Of(DiagnosticCodes.TrainerCommandTimedOut,
                $"The trainer command '{commandText}' ran longer than TrainerTimeout ({definition.TrainerTimeoutSeconds} s) and was stopped with its child processes.{stderr}", where,
                "Raise <TrainerTimeout> (seconds) if training needs longer, or make the command finish sooner.");
        }
        if (result.ExitCode != 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.TrainerCommandFailed, $"The trainer command '{commandText}' exited with code {result.ExitCode}.{stderr}", where,
                "Fix the error the command reports; the build log has its full output, and obj/mlops/trainer/ its inputs to rerun it by hand.");
        }
    }

    private static OnnxScorer Load(string onnxPath, string commandText, SourceLocation where)
    {
        try
        {
            return OnnxScorer.Load(onnxPath);
        }
        catch (MlOpsException exception) when (exception.Diagnostics[0].Code == DiagnosticCodes.OnnxScoringFailed)
        {
            throw MlOpsException.Of(DiagnosticCodes.TrainerModelUnloadable,
                $"ONNX Runtime cannot load the model that '{commandText}' wrote: {exception.Diagnostics[0].Message}", where,
                "Check it with onnx.checker.check_model before saving, and keep to the IR version and opsets of the ONNX Runtime in the model card's environment.");
        }
    }

    /// <summary>A program written with a folder (scripts/train.sh) is relative to the project; a bare name is looked up on PATH.</summary>
    private static string ResolveProgram(string program, string projectDirectory) =>
        Path.IsPathRooted(program) || program.IndexOfAny(['/', '\\']) < 0 ? program : Path.GetFullPath(Path.Combine(projectDirectory, program));
}
