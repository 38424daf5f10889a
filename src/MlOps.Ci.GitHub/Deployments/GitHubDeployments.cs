using System.Collections.ObjectModel;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.GitHub.Api;
using Octokit;

namespace MlOps.Ci.GitHub.Deployments;

/// <summary>
/// Promotion and rollback of model versions through GitHub Deployments. A promotion is a deployment of the commit with
/// the model in its payload, then the statuses <c>in_progress</c> and <c>success</c> (or <c>failure</c>). The earlier
/// deployments of the environment end <c>inactive</c>: GitHub does that itself (<c>auto_inactive</c>) only for
/// non-production, non-transient environments, so for a production environment this class posts the
/// <c>inactive</c> statuses itself, exactly as GitHub would have.
/// </summary>
public sealed class GitHubDeployments
{
    private const int MaxStatusDescription = 140; // GitHub's limit on a status description
    private const int RecentDeployments = 100;

    private readonly GitHubApi _api;

    public GitHubDeployments(GitHubApi api)
    {
        ArgumentNullException.ThrowIfNull(api);
        _api = api;
    }

    public async Task<PromotionResult> PromoteAsync(PromotionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.Environment);
        ArgumentException.ThrowIfNullOrEmpty(request.Sha);
        if (request.RequiresEnvironment is { Length: > 0 } required)
            await EnsureSucceededInAsync(required, request.Payload.ModelVersion, cancellationToken).ConfigureAwait(false);

        var active = new List<Deployment>();
        foreach (var earlier in await RecentDeploymentsAsync(request.Environment).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if ((await StatusesAsync(earlier, latestOnly: true).ConfigureAwait(false)).FirstOrDefault()?.State.Value == DeploymentState.Success)
                active.Add(earlier);
        }

        var (owner, name) = (_api.Repository.Owner, _api.Repository.Name);
        var deployment = await _api.SendAsync("POST", _api.RepoPath("/deployments"), () => _api.Client.Repository.Deployment.Create(owner, name,
            new NewDeployment(request.Sha)
            {
                Environment = request.Environment,
                Task = "deploy",
                Payload = request.Payload.ToDictionary(),
                // A model promotion deploys exactly this commit: no merge of the default branch into it, and no wait for
                // commit statuses (the workflow's own jobs already gated it).
                AutoMerge = false,
                RequiredContexts = new Collection<string>(),
                Description = Shorten(request.Description ?? $"Model {request.Payload.ModelVersion}"),
            })).ConfigureAwait(false);

        try
        {
            await PostStatusAsync(deployment.Id, new NewDeploymentStatus(DeploymentState.InProgress)
            {
                LogUrl = request.LogUrl,
                Description = Shorten($"Promoting model {request.Payload.ModelVersion}"),
                AutoInactive = false,
            }).ConfigureAwait(false);
            await PostStatusAsync(deployment.Id, new NewDeploymentStatus(DeploymentState.Success)
            {
                LogUrl = request.LogUrl,
                EnvironmentUrl = request.EnvironmentUrl,
                Description = Shorten($"Model {request.Payload.ModelVersion} is live"),
                // GitHub marks the earlier successful deployments of a non-production environment inactive.
                AutoInactive = true,
            }).ConfigureAwait(false);
        }
        catch (MlOpsException failure)
        {
            await TryPostFailureAsync(deployment.Id, request, failure).ConfigureAwait(false);
            throw;
        }

        // auto_inactive leaves production (and transient) environments alone: do what it would have done.
        if (deployment.ProductionEnvironment || deployment.TransientEnvironment)
        {
            foreach (var previous in active)
            {
                await PostStatusAsync(previous.Id, new NewDeploymentStatus(DeploymentState.Inactive)
                {
                    Description = Shorten($"Superseded by deployment {deployment.Id}"),
                    AutoInactive = false,
                }).ConfigureAwait(false);
            }
        }
        return new PromotionResult(request.Environment, deployment.Id, request.EnvironmentUrl ?? deployment.Url, request.Sha, request.Payload,
            active.Select(d => d.Id).ToList());
    }

    /// <summary>
    /// Redeploys the model version that was live before the current one: a new deployment with the earlier
    /// deployment's payload at its commit.
    /// </summary>
    public async Task<PromotionResult> RollbackAsync(string environment, string? logUrl = null, string? environmentUrl = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(environment);
        DeploymentHistory? current = null, previous = null;
        var recent = await RecentDeploymentsAsync(environment).ConfigureAwait(false);
        // Newest first, stopping as soon as both are known: the statuses of older deployments are never fetched.
        foreach (var deployment in recent.Where(d => DeploymentPayload.From(d.Payload) is not null))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var history = new DeploymentHistory(deployment, await StatusesAsync(deployment, latestOnly: false).ConfigureAwait(false));
            if (!history.Succeeded)
                continue;
            if (current is null)
            {
                current = history;
            }
            else if (history.Payload!.ModelVersion != current.Payload!.ModelVersion)
            {
                previous = history;
                break;
            }
        }
        if (current is null || previous is null)
        {
            throw MlOpsException.Of(DiagnosticCodes.NoPreviousDeployment,
                current is null
                    ? $"Cannot roll back {environment} in {_api.Repository}: no model deployment there ever succeeded (of the {recent.Count} latest deployment(s))."
                    : $"Cannot roll back {environment} in {_api.Repository}: model {current.Payload!.ModelVersion} (deployment {current.Deployment.Id}) is the only version that succeeded there.",
                hint: "Promote a model package explicitly with 'mlops promote --environment " + environment + " --package …'.");
        }
        var payload = previous.Payload!;
        return await PromoteAsync(new PromotionRequest(environment, previous.Deployment.Sha, payload)
        {
            LogUrl = logUrl,
            EnvironmentUrl = environmentUrl ?? previous.EnvironmentUrl,
            Description = $"Rollback to model {payload.ModelVersion} (from {current.Payload!.ModelVersion})",
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The environment's latest deployments, newest first: one page of 100. Older history does not decide what is
    /// active now or what to roll back to, and reading all of it would cost a request per deployment on every promotion.
    /// </summary>
    private async Task<IReadOnlyList<Deployment>> RecentDeploymentsAsync(string environment)
    {
        var deployments = await _api.SendAsync("GET", $"{_api.RepoPath("/deployments")}?environment={environment}", () => _api.Connection.GetAll<Deployment>(
            _api.RelativeUri("/deployments"), new Dictionary<string, string> { ["environment"] = environment },
            new ApiOptions { PageSize = RecentDeployments, PageCount = 1 })).ConfigureAwait(false);
        return deployments.OrderByDescending(d => d.Id).ToList();
    }

    /// <summary>A deployment's statuses, newest first; with <paramref name="latestOnly"/> just the newest one (one short request).</summary>
    private async Task<IReadOnlyList<DeploymentStatus>> StatusesAsync(Deployment deployment, bool latestOnly)
    {
        var statuses = await _api.SendAsync("GET", _api.RepoPath($"/deployments/{deployment.Id}/statuses"), () => _api.Client.Repository.Deployment.Status.GetAll(
            _api.Repository.Owner, _api.Repository.Name, deployment.Id,
            latestOnly ? new ApiOptions { PageSize = 1, PageCount = 1 } : new ApiOptions { PageSize = 100 })).ConfigureAwait(false);
        return statuses.OrderByDescending(s => s.Id).ToList();
    }

    private async Task EnsureSucceededInAsync(string environment, string modelVersion, CancellationToken cancellationToken)
    {
        // The payload says which version a deployment carries, so only those deployments' statuses are read. The
        // newest of them decides a failure (a version that failed on its last try there is not promoted further);
        // otherwise any success there will do, including one made inactive since by a newer version.
        var ofVersion = new List<DeploymentHistory>();
        foreach (var deployment in (await RecentDeploymentsAsync(environment).ConfigureAwait(false)).Where(d => DeploymentPayload.From(d.Payload)?.ModelVersion == modelVersion))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var history = new DeploymentHistory(deployment, await StatusesAsync(deployment, latestOnly: false).ConfigureAwait(false));
            if (ofVersion.Count == 0 && history.LatestState is DeploymentState.Failure or DeploymentState.Error)
            {
                throw MlOpsException.Of(DiagnosticCodes.PromotionFailedInRequiredEnvironment,
                    $"Model {modelVersion} failed in {environment} (deployment {deployment.Id}: {history.Statuses[0].Description}); it is not promoted further.",
                    hint: $"Fix the model or its deployment and promote it to {environment} again before promoting it here.");
            }
            if (history.Succeeded)
                return;
            ofVersion.Add(history);
        }
        throw MlOpsException.Of(DiagnosticCodes.PromotionNotSucceededInRequiredEnvironment,
            ofVersion.Count == 0
                ? $"Model {modelVersion} was never deployed to {environment}, which this promotion requires first."
                : $"Model {modelVersion} has not succeeded in {environment} yet (deployment {ofVersion[0].Deployment.Id} is {ofVersion[0].LatestState?.ToString() ?? "pending"}).",
            hint: $"Promote the same package to {environment} first (mlops promote --environment {environment}).");
    }

    private Task PostStatusAsync(long deploymentId, NewDeploymentStatus status) =>
        _api.SendAsync("POST", _api.RepoPath($"/deployments/{deploymentId}/statuses"),
            () => _api.Client.Repository.Deployment.Status.Create(_api.Repository.Owner, _api.Repository.Name, deploymentId, status));

    /// <summary>Best effort: the promotion already failed, and its diagnostic matters more than a second failure.</summary>
    private async Task TryPostFailureAsync(long deploymentId, PromotionRequest request, MlOpsException failure)
    {
        try
        {
            await PostStatusAsync(deploymentId, new NewDeploymentStatus(DeploymentState.Failure)
            {
                LogUrl = request.LogUrl,
                Description = Shorten($"{failure.Diagnostics[0].Code}: {failure.Diagnostics[0].Message}"),
                AutoInactive = false,
            }).ConfigureAwait(false);
        }
        catch (MlOpsException)
        {
        }
    }

    private static string Shorten(string text) => text.Length <= MaxStatusDescription ? text : text[..(MaxStatusDescription - 1)] + "…";
}

/// <summary>One deployment and its statuses, newest first.</summary>
internal sealed record DeploymentHistory(Deployment Deployment, IReadOnlyList<DeploymentStatus> Statuses)
{
    public DeploymentState? LatestState => Statuses.Count == 0 ? null : Statuses[0].State.Value;

    public bool Succeeded => Statuses.Any(s => s.State.Value == DeploymentState.Success);

    public DeploymentPayload? Payload => DeploymentPayload.From(Deployment.Payload);

    public string? EnvironmentUrl => Statuses.FirstOrDefault(s => s.State.Value == DeploymentState.Success && !string.IsNullOrEmpty(s.EnvironmentUrl))?.EnvironmentUrl;
}
