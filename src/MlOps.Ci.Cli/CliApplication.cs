using System.CommandLine;
using MlOps.Ci.Cli.Commands;

namespace MlOps.Ci.Cli;

/// <summary>
/// The <c>mlops</c> command: each verb maps its arguments to a Core call and nothing more.
/// Exit codes: 0 success; 1 a diagnosed failure (bad input, failed gate, registry error, out-of-date model with
/// status --exit-code); 2 a usage error; 3 an internal error.
/// </summary>
public static class CliApplication
{
    public static int Run(string[] args)
    {
        var global = new GlobalOptions();
        var root = new RootCommand("MlOps.Ci: the machine-learning lifecycle as build steps.") { global.Verbose, global.Json };
        foreach (var command in BuildSideCommands.Create(global)
                     .Append(ProjectCommands.Create(global))
                     .Append(ReportCommand.Create(global))
                     .Append(DriftCommand.Create(global))
                     .Append(FeedbackCommand.Create(global))
                     .Append(ProbeCommand.Create())
                     .Append(ServeCommand.Create(global))
                     .Append(ImageCommands.Create(global))
                     .Concat(PackageCommands.Create(global))
                     .Concat(GitHubCommands.Create(global)))
        {
            root.Subcommands.Add(command);
        }

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
                Console.Error.WriteLine($"mlops: error: {error.Message}");
            Console.Error.WriteLine("Run 'mlops --help' for usage.");
            return CommandOutput.UsageError;
        }
        return result.Invoke();
    }
}
