using System.CommandLine;
using MlOps.Ci.Automation;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.GitHub.Api;
using MlOps.Ci.GitHub.Deployments;
using MlOps.Ci.Packaging;

namespace MlOps.Ci.Cli.Commands;

/// <summary>
/// <c>mlops promote|rollback</c>: GitHub Deployments (<c>retrain</c>: <see cref="RetrainCommand"/>). Every option also reads an
/// environment variable, so the composite action passes its inputs as env; the runner's own variables
/// (GITHUB_REPOSITORY, GITHUB_SHA, GITHUB_REF_NAME, GITHUB_API_URL) and GITHUB_TOKEN make the verbs work unchanged on
/// a developer's machine with a token and --repository.
/// </summary>
internal static class GitHubCommands
{
    private const string EnvironmentVariable = "MLOPS_ENVIRONMENT";
    private const string EnvironmentUrlVariable = "MLOPS_ENVIRONMENT_URL";
    private const string ImageDigestVariable = "MLOPS_IMAGE_DIGEST";
    private const string RequiresVariable = "MLOPS_REQUIRES";

    // retrain is not GitHub's alone (RetrainCommand chooses GitHub or Azure Pipelines) but keeps its place among these verbs.
    public static IEnumerable<Command> Create(GlobalOptions global) => [Promote(global), Rollback(global), RetrainCommand.Create(global)];

    internal static Option<string?> FromEnvironment(string name, string variable, string description) => new(name)
    {
        Description = $"{description} (default: ${variable}).",
        DefaultValueFactory = _ => EnvironmentDefaults.Get(variable),
    };

    internal static (Option<string?> Repository, Option<string?> ApiUrl) ApiOptions() => (
        FromEnvironment("--repository", "GITHUB_REPOSITORY", "The GitHub repository, owner/name"),
        FromEnvironment("--api-url", "GITHUB_API_URL", "The GitHub API root (https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server)"));

    private static GitHubApi Api(ParseResult parse, GlobalOptions global, Option<string?> repository, Option<string?> apiUrl) =>
        Api(parse.GetValue(repository), parse.GetValue(apiUrl), parse.GetValue(global.Verbose), parse.GetValue(global.Json));

    internal static GitHubApi Api(string? repository, string? apiUrl, bool verbose, bool json)
    {
        var options = GitHubSettings.Resolve(CiHosts.ProcessEnvironment(), repository, apiUrl);
        return new GitHubApi(options with { Logger = new ConsoleLogger(verbose, json) });
    }

    internal static string Require(string? value, string option, string variable, string what) => value ?? throw MlOpsException.Of(
        DiagnosticCodes.GitHubInputMissing, $"No {what}: give {option} or set {variable}.",
        hint: "The GitHub Action sets it from its input of the same name; in a workflow the runner sets the GITHUB_* variables.");

    /// <summary>The run's page, shown as the deployment status's log (null outside Actions).</summary>
    private static string? RunUrl() => GitHubSettings.RunUrl(CiHosts.ProcessEnvironment());

    private static Command Promote(GlobalOptions global)
    {
        var environment = FromEnvironment("--environment", EnvironmentVariable, "The deployment environment (staging, production, any name)");
        var package = EnvironmentDefaults.PackageOption("The model package whose card gives the model version and fingerprint");
        var image = FromEnvironment("--image", EnvironmentDefaults.Image, "The serving image (repository:tag or repository@digest)");
        var imageDigest = FromEnvironment("--image-digest", ImageDigestVariable, "The image's digest (default: the digest in --image, if any)");
        var environmentUrl = FromEnvironment("--environment-url", EnvironmentUrlVariable, "Where the promoted model answers");
        var requires = FromEnvironment("--requires", RequiresVariable, "An environment where the same model version must have succeeded first (e.g. staging)");
        var sha = FromEnvironment("--sha", "GITHUB_SHA", "The commit to deploy");
        var (repository, apiUrl) = ApiOptions();
        var command = new Command("promote", "Promote a model package to an environment through GitHub Deployments.")
        {
            environment, package, image, imageDigest, environmentUrl, requires, sha, repository, apiUrl,
        };
        command.SetAction(parse => CommandOutput.Run(parse.GetValue(global.Json), () =>
        {
            var target = Require(parse.GetValue(environment), "--environment", EnvironmentVariable, "environment");
            var commit = Require(parse.GetValue(sha), "--sha", "GITHUB_SHA", "commit to deploy");
            var card = ModelPackage.Read(EnvironmentDefaults.RequirePackage(parse.GetValue(package)).FullName).Card;
            var imageReference = parse.GetValue(image) ?? "";
            var digest = parse.GetValue(imageDigest) ?? DeploymentPayload.DigestOf(imageReference);
            var api = Api(parse, global, repository, apiUrl);
            var result = new GitHubDeployments(api).PromoteAsync(new PromotionRequest(target, commit,
                new DeploymentPayload(imageReference, digest, card.Version, card.Fingerprints.Model))
            {
                EnvironmentUrl = parse.GetValue(environmentUrl),
                RequiresEnvironment = parse.GetValue(requires),
                LogUrl = RunUrl(),
                Description = $"Model {card.Name} {card.Version}",
            }).GetAwaiter().GetResult();
            Report(parse.GetValue(global.Json), $"Promoted model {card.Name} {result.ModelVersion} to {result.Environment}", result);
            return result;
        }, outputs: Outputs));
        return command;
    }

    private static Command Rollback(GlobalOptions global)
    {
        var environment = FromEnvironment("--environment", EnvironmentVariable, "The deployment environment to roll back");
        var environmentUrl = FromEnvironment("--environment-url", EnvironmentUrlVariable, "Where the model answers (default: the URL of the deployment rolled back to)");
        var (repository, apiUrl) = ApiOptions();
        var command = new Command("rollback", "Redeploy the model version that was live in an environment before the current one.")
        {
            environment, environmentUrl, repository, apiUrl,
        };
        command.SetAction(parse => CommandOutput.Run(parse.GetValue(global.Json), () =>
        {
            var target = Require(parse.GetValue(environment), "--environment", EnvironmentVariable, "environment");
            var result = new GitHubDeployments(Api(parse, global, repository, apiUrl))
                .RollbackAsync(target, RunUrl(), parse.GetValue(environmentUrl)).GetAwaiter().GetResult();
            Report(parse.GetValue(global.Json), $"Rolled {result.Environment} back to model {result.ModelVersion}", result);
            return result;
        }, outputs: Outputs));
        return command;
    }

    private static void Report(bool json, string what, PromotionResult result)
    {
        if (!json)
            Console.Out.WriteLine($"{what}: deployment {result.DeploymentId} at {result.Sha[..Math.Min(12, result.Sha.Length)]} ({result.DeploymentUrl}).");
    }

    private static IEnumerable<KeyValuePair<string, string>> Outputs(object result)
    {
        if (result is not PromotionResult promotion)
            yield break;
        yield return new(StepOutputs.DeploymentId, promotion.DeploymentId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return new(StepOutputs.DeploymentUrl, promotion.DeploymentUrl);
        yield return new(StepOutputs.ModelVersion, promotion.ModelVersion);
        yield return new(StepOutputs.Fingerprint, promotion.Fingerprint);
        yield return new(StepOutputs.Image, promotion.Image);
    }
}
