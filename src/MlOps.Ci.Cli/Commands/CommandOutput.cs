using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;

namespace MlOps.Ci.Cli.Commands;

/// <summary>
/// How a verb reports: human lines by default, one JSON document with --json (for the GitHub Action, the Azure DevOps
/// task and scripts). Diagnostics always go to stderr in the canonical file(line,col) form; with --json they are also
/// part of the document on stdout.
/// </summary>
internal static class CommandOutput
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int UsageError = 2;
    public const int InternalError = 3;

    public static int Run(bool json, Func<object?> action)
    {
        try
        {
            var result = action();
            var document = result is StatusOutcome outcome ? outcome.Report : result;
            if (json && document is not null)
                Console.Out.Write(MlOpsJson.Serialize(document));
            return result is StatusOutcome { Failed: true } ? Failed : Success;
        }
        catch (MlOpsException exception)
        {
            foreach (var diagnostic in exception.Diagnostics)
                Console.Error.WriteLine(diagnostic);
            if (json)
                Console.Out.Write(MlOpsJson.Serialize(new { succeeded = false, diagnostics = exception.Diagnostics }));
            return Failed;
        }
        catch (Exception exception)
        {
            var diagnostic = Diagnostic.Error(DiagnosticCodes.InternalError, $"Internal error: {exception.Message}",
                hint: "This is a bug in MlOps.Ci; please report it with the output of a --verbose run.");
            Console.Error.WriteLine(diagnostic);
            Console.Error.WriteLine(exception);
            if (json)
                Console.Out.Write(MlOpsJson.Serialize(new { succeeded = false, diagnostics = new[] { diagnostic } }));
            return InternalError;
        }
    }
}

/// <summary>A result that is printed and still means exit code 1 (status --exit-code on an out-of-date model).</summary>
internal sealed record StatusOutcome(object Report, bool Failed);
