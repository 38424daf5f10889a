using System.Diagnostics;
using System.Reflection;

namespace MlOps.Ci.Testing;

/// <summary>
/// The real <c>mlops</c> CLI, as the test project built it (a ProjectReference to MlOps.Ci.Cli with an
/// <c>MlOpsAppDirectory</c> AssemblyMetadata naming its output), run with <c>dotnet exec</c> in the environment a test
/// gives it and no CI variables of the machine running the tests.
/// </summary>
public static class MlopsTool
{
    /// <summary>The CLI's build output for this configuration, or MLOPS_TEST_APP_DIRECTORY.</summary>
    public static string AppDirectory =>
        Environment.GetEnvironmentVariable("MLOPS_TEST_APP_DIRECTORY") is { Length: > 0 } configured
            ? configured
            : AppDomain.CurrentDomain.GetAssemblies().SelectMany(a => a.GetCustomAttributes<AssemblyMetadataAttribute>())
                  .FirstOrDefault(a => a.Key == "MlOpsAppDirectory")?.Value
              ?? throw new InvalidOperationException("The test project needs <AssemblyMetadata Include=\"MlOpsAppDirectory\" …/> and a ProjectReference to MlOps.Ci.Cli.");

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public override string ToString() => $"exit code {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
    }

    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        using var process = Start(environment, arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // A guard against a hung child, far above any run's length; not a timing assertion.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mlops {string.Join(' ', arguments)} did not finish.");
        }
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary>Starts the CLI without waiting (e.g. <c>mlops serve</c>); stdout and stderr are redirected for the caller to read.</summary>
    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppDirectory, "mlops.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // The test host may itself run in a CI job: no variable of another CI system may leak into the child.
        foreach (var name in start.Environment.Keys.ToList())
        {
            if (name is "GITHUB_ACTIONS" or "TF_BUILD" or "MLOPS_REMOTE_CACHE" or "MLOPS_CACHE_DIR"
                || name.StartsWith("GITHUB_", StringComparison.Ordinal) || name.StartsWith("SYSTEM_", StringComparison.Ordinal)
                || name.StartsWith("BUILD_", StringComparison.Ordinal) || name.StartsWith("AGENT_", StringComparison.Ordinal))
                start.Environment.Remove(name);
        }
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        return Process.Start(start)!;
    }
}
