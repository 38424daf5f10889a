using MlOps.Ci.Automation;

namespace MlOps.Ci.AzureDevOps.Pipelines;

/// <summary>
/// The Azure Pipelines names of the step outputs: camelCase, as the MlOpsCi task declares them in task.json's
/// <c>outputVariables</c> and as YAML reads them (<c>$(step.modelVersion)</c>), where GitHub uses kebab-case.
/// </summary>
public static class OutputVariableNames
{
    /// <summary>Every <see cref="StepOutputs"/> name and its variable name; the task declares exactly these.</summary>
    public static IReadOnlyDictionary<string, string> Known { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [StepOutputs.ModelVersion] = "modelVersion",
        [StepOutputs.Fingerprint] = "fingerprint",
        [StepOutputs.PackagePath] = "packagePath",
        [StepOutputs.MetricsJson] = "metricsJson",
        [StepOutputs.GatePassed] = "gatePassed",
        [StepOutputs.Image] = "image",
        [StepOutputs.DeploymentId] = "deploymentId",
        [StepOutputs.DeploymentUrl] = "deploymentUrl",
        [StepOutputs.ReportPath] = "reportPath",
        [StepOutputs.Drifted] = "drifted",
        [StepOutputs.Retrain] = "retrain",
    };

    /// <summary>
    /// The variable name of a step output. A name not (yet) in <see cref="Known"/> gets the same kebab-to-camel rule,
    /// so a new output still arrives under a predictable name before the task declares it.
    /// </summary>
    public static string Of(string stepOutput)
    {
        ArgumentException.ThrowIfNullOrEmpty(stepOutput);
        if (Known.TryGetValue(stepOutput, out var known))
            return known;
        var parts = stepOutput.Split('-', StringSplitOptions.RemoveEmptyEntries);
        return string.Concat(parts.Select((part, index) => index == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));
    }
}
