using System.CommandLine;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Cli;

/// <summary>
/// The verbs of the <c>mlops</c> command. Each maps its arguments to a Core call and nothing more.
/// Exit codes: 0 success, 1 a diagnosed failure (bad input, failed gate), 2 a usage error, 3 an internal error.
/// </summary>
public static class CliApplication
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int UsageError = 2;
    public const int InternalError = 3;

    public static int Run(string[] args)
    {
        var root = new RootCommand("MlOps.Ci: the machine-learning lifecycle as build steps.");
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print debug detail." };
        root.Options.Add(verbose);

        foreach (var (name, steps, description) in new (string, PipelineStep[], string)[]
                 {
                     ("validate", [PipelineStep.Validate], "Validate the data against the resolved schema (ValidateData)."),
                     ("train", [PipelineStep.Train], "Train the model and export it to ONNX (TrainModel)."),
                     ("evaluate", [PipelineStep.Evaluate], "Score the evaluation data with the ONNX model and apply the quality gates (EvaluateModel)."),
                     ("package", [PipelineStep.Package], "Write the model package (PackageModel)."),
                     ("run", Enum.GetValues<PipelineStep>(), "Run every build-side step in order."),
                 })
        {
            var definition = new Option<FileInfo>("--definition", "-d")
            {
                Description = "The pipeline definition (obj/mlops/pipeline.json, written by the MlOps.Ci SDK).",
                Required = true,
            };
            var command = new Command(name, description) { definition };
            command.SetAction(parse => Guard(() =>
            {
                var runner = new PipelineRunner(new ConsoleLogger(parse.GetValue(verbose)));
                runner.Run(PipelineRunner.LoadDefinition(parse.GetValue(definition)!.FullName), steps);
                return Success;
            }));
            root.Subcommands.Add(command);
        }

        var packagePath = new Argument<FileInfo>("package") { Description = "A model package (.mlpkg)." };
        var inspect = new Command("inspect", "Print a model package's model card as JSON.") { packagePath };
        inspect.SetAction(parse => Guard(() =>
        {
            Console.Out.Write(MlOpsJson.Serialize(ModelPackage.Read(parse.GetValue(packagePath)!.FullName).Card));
            return Success;
        }));
        root.Subcommands.Add(inspect);

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
                Console.Error.WriteLine($"mlops: error: {error.Message}");
            Console.Error.WriteLine("Run 'mlops --help' for usage.");
            return UsageError;
        }
        return result.Invoke();
    }

    private static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (MlOpsException exception)
        {
            foreach (var diagnostic in exception.Diagnostics)
                Console.Error.WriteLine(diagnostic);
            return Failed;
        }
        catch (Exception exception)
        {
            Console.Error.WriteLine(Diagnostic.Error(DiagnosticCodes.InternalError, $"Internal error: {exception.Message}",
                hint: "This is a bug in MlOps.Ci; please report it with the output of a --verbose run."));
            Console.Error.WriteLine(exception);
            return InternalError;
        }
    }
}
