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

        var history = await HistoryAsync(request.Environment, cancellationToken).ConfigureAwait(false);
        var active = history.Where(h => h.LatestState == DeploymentState.Success).Select(h => h.Deployment).ToList();

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
        var history = await HistoryAsync(environment, cancellationToken).ConfigureAwait(false);
        var succeeded = history.Where(h => h.Succeeded && h.Payload is not null).ToList();
        var current = succeeded.FirstOrDefault();
        var previous = current is null ? null : succeeded.Skip(1).FirstOrDefault(h => h.Payload!.ModelVersion != current.Payload!.ModelVersion);
        if (current is null || previous is null)
        {
            throw MlOpsException.Of(DiagnosticCodes.NoPreviousDeployment,
                current is null
                    ? $"Cannot roll back {environment} in {_api.Repository}: no model deployment there ever succeeded ({history.Count} deployment(s) listed)."
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

    /// <summary>The environment's deployments, newest first, each with its statuses (newest first).</summary>
    internal async Task<IReadOnlyList<DeploymentHistory>> HistoryAsync(string environment, CancellationToken cancellationToken)
    {
        var path = _api.RepoPath("/deployments");
        var deployments = await _api.SendAsync("GET", $"{path}?environment={environment}", () => _api.Connection.GetAll<Deployment>(
            _api.RelativeUri("/deployments"),
            new Dictionary<string, string> { ["environment"] = environment }, new ApiOptions { PageSize = 100 })).ConfigureAwait(false);
        var history = new List<DeploymentHistory>(deployments.Count);
        foreach (var deployment in deployments.OrderByDescending(d => d.Id))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var statuses = await _api.SendAsync("GET", _api.RepoPath($"/deployments/{deployment.Id}/statuses"), () => _api.Client.Repository.Deployment.Status.GetAll(
                _api.Repository.Owner, _api.Repository.Name, deployment.Id, new ApiOptions { PageSize = 100 })).ConfigureAwait(false);
            history.Add(new DeploymentHistory(deployment, statuses.OrderByDescending(s => s.Id).ToList()));
        }
        return history;
    }

    private async Task EnsureSucceededInAsync(string environment, string modelVersion, CancellationToken cancellationToken)
    {
        var ofVersion = (await HistoryAsync(environment, cancellationToken).ConfigureAwait(false))
            .Where(h => h.Payload?.ModelVersion == modelVersion).ToList();
        if (ofVersion.Any(h => h.Succeeded))
            return;
        if (ofVersion.FirstOrDefault() is { LatestState: DeploymentState.Failure or DeploymentState.Error } failed)
        {
            throw MlOpsException.Of(DiagnosticCodes.PromotionFailedInRequiredEnvironment,
                $"Model {modelVersion} failed in {environment} (deployment {failed.Deployment.Id}: {failed.Statuses[0].Description}); it is not promoted further.",
                hint: $"Fix the model or its deployment and promote it to {environment} again before promoting it here.");
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
