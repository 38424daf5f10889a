using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Automation;

/// <summary>
/// The <c>key=value</c> inputs of <c>mlops retrain</c>, read the same way whichever CI system runs the training
/// (workflow_dispatch inputs on GitHub, template parameters on Azure Pipelines); each system names its own code.
/// </summary>
public static class RetrainInputs
{
    /// <summary>
    /// Reads the pairs; <paramref name="diagnosticCode"/> names a malformed or repeated one, or one using
    /// <paramref name="reasonKey"/>, which has its own option (--reason).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(IEnumerable<string> pairs, string reasonKey, string diagnosticCode)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = equals > 0 ? pair[..equals].Trim() : "";
            if (key.Length == 0)
                throw MlOpsException.Of(diagnosticCode, $"--input '{pair}' is not key=value.", hint: "Write each input as key=value, e.g. --input drift=0.31.");
            if (key == reasonKey)
                throw MlOpsException.Of(diagnosticCode, $"--input '{pair}': the reason is given with --reason.", hint: "Use --reason \"…\".");
            if (!inputs.TryAdd(key, pair[(equals + 1)..]))
                throw MlOpsException.Of(diagnosticCode, $"--input {key} is given twice.", hint: "Give each input once.");
        }
        return inputs;
    }
}
