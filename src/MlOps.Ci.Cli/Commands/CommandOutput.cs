using MlOps.Ci.Automation;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;

namespace MlOps.Ci.Cli.Commands;

/// <summary>
/// How a verb reports: human lines by default, one JSON document with --json (for the GitHub Action, the Azure DevOps
/// task and scripts). Diagnostics always go to stderr in the canonical file(line,col) form; with --json they are also
/// part of the document on stdout. Under a CI system (<see cref="CurrentCiHost"/>) diagnostics also become
/// annotations, the verb's step outputs are published and the step's result is reported.
/// </summary>
internal static class CommandOutput
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int UsageError = 2;
    public const int InternalError = 3;

    /// <param name="json">Whether --json was given.</param>
    /// <param name="action">The verb's work; its result is the --json document.</param>
    /// <param name="outputs">The step outputs of a result (names from <see cref="StepOutputs"/>), published to the CI host.</param>
    public static int Run(bool json, Func<object?> action, Func<object, IEnumerable<KeyValuePair<string, string>>>? outputs = null)
    {
        var host = CurrentCiHost.Get(json);
        try
        {
            var result = action();
            var document = result is StatusOutcome outcome ? outcome.Report : result;
            if (document is not null && outputs is not null)
            {
                foreach (var (name, value) in outputs(document))
                    host.SetOutput(name, value);
            }
            if (json && document is not null)
                Console.Out.Write(MlOpsJson.Serialize(document));
            var failed = result is StatusOutcome { Failed: true };
            host.Complete(!failed, failed && result is StatusOutcome { Message: { } message } ? message : "");
            return failed ? Failed : Success;
        }
        catch (MlOpsException exception)
        {
            foreach (var diagnostic in exception.Diagnostics)
            {
                Console.Error.WriteLine(diagnostic);
                host.Report(diagnostic);
            }
            if (exception.PartialResult is { } partial && outputs is not null)
            {
                foreach (var (name, value) in outputs(partial))
                    host.SetOutput(name, value);
            }
            if (json)
                Console.Out.Write(MlOpsJson.Serialize(new { succeeded = false, diagnostics = exception.Diagnostics }));
            host.Complete(false, exception.Diagnostics.FirstOrDefault()?.ToString() ?? "failed");
            return Failed;
        }
        catch (Exception exception)
        {
            var diagnostic = Diagnostic.Error(DiagnosticCodes.InternalError, $"Internal error: {exception.Message}",
                hint: "This is a bug in MlOps.Ci; please report it with the output of a --verbose run.");
            Console.Error.WriteLine(diagnostic);
            Console.Error.WriteLine(exception);
            host.Report(diagnostic);
            host.Complete(false, diagnostic.ToString());
            if (json)
                Console.Out.Write(MlOpsJson.Serialize(new { succeeded = false, diagnostics = new[] { diagnostic } }));
            return InternalError;
        }
    }
}

/// <summary>
/// A result that is printed and still means exit code 1 (status --exit-code on an out-of-date model, a report whose
/// gate failed); <see cref="Message"/> is what the CI host shows as the step's result.
/// </summary>
internal sealed record StatusOutcome(object Report, bool Failed, string? Message = null);
