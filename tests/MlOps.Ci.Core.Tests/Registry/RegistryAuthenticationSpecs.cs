using System.Text;
using System.Text.Json;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Core.Tests.Registry;

/// <summary>
/// A registry behind htpasswd: credentials given, found where docker login and CI login steps leave them, or missing.
/// Each test points DOCKER_CONFIG at its own folder and clears MLOPS_REGISTRY_*, so the machine's own logins never
/// leak in; the collection runs alone because the environment is the process's.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class RegistryAuthenticationSpecs : IClassFixture<AuthenticatedLocalRegistry>, IDisposable
{
    private static readonly RegistryClientOptions Quick = new() { MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(10), Timeout = TimeSpan.FromSeconds(10) };
    private readonly AuthenticatedLocalRegistry _registry;
    private readonly TempFolder _folder = new();
    private readonly EnvironmentScope _environment = new();
    private readonly string _package;
    private readonly ModelAnnotations _annotations;

    public RegistryAuthenticationSpecs(AuthenticatedLocalRegistry registry)
    {
        _registry = registry;
        (_package, _annotations) = ModelPackages.Write(_folder);
        _environment.Set("DOCKER_CONFIG", _folder.PathOf("docker")).Set("MLOPS_REGISTRY_USERNAME", null).Set("MLOPS_REGISTRY_PASSWORD", null);
    }

    public void Dispose()
    {
        _environment.Dispose();
        _folder.Dispose();
    }

    [RegistryFact(Authenticated = true)]
    public async Task Without_credentials_the_push_fails_with_MLOPS6102()
    {
        using var models = new OciModelRegistry(_registry.NewRepository(), Quick);

        var exception = await Should.ThrowAsync<MlOpsException>(() => models.PushAsync(_package, _annotations, ["2.1.0"]));

        var diagnostic = exception.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Code.ShouldBe(DiagnosticCodes.RegistryUnauthorized);
        diagnostic.Message.ShouldContain("none were found");
    }

    [RegistryFact(Authenticated = true)]
    public async Task A_wrong_password_fails_with_MLOPS6102()
    {
        using var models = new OciModelRegistry(_registry.NewRepository(), Quick with { Credential = new RegistryCredential(LocalRegistry.UserName, "wrong") });

        var exception = await Should.ThrowAsync<MlOpsException>(() => models.PullAsync(ModelPackages.Name, "2.1.0", _folder.PathOf("pulled.mlpkg")));

        var diagnostic = exception.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Code.ShouldBe(DiagnosticCodes.RegistryUnauthorized);
        diagnostic.Message.ShouldContain("rejected");
    }

    [RegistryFact(Authenticated = true)]
    public async Task With_credentials_given_push_and_pull_work()
    {
        using var models = new OciModelRegistry(_registry.NewRepository(),
            Quick with { Credential = new RegistryCredential(LocalRegistry.UserName, LocalRegistry.Password) });

        await PushAndPullAsync(models);
    }

    [RegistryFact(Authenticated = true)]
    public async Task Credentials_are_found_in_the_docker_config_auths()
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{LocalRegistry.UserName}:{LocalRegistry.Password}"));
        _folder.Write("docker/config.json", JsonSerializer.Serialize(new
        {
            auths = new Dictionary<string, object>
            {
                ["ghcr.io"] = new { auth = Convert.ToBase64String("someone:else"u8.ToArray()) },
                [_registry.Address] = new { auth },
            },
        }));
        using var models = new OciModelRegistry(_registry.NewRepository(), Quick);

        await PushAndPullAsync(models);
    }

    [RegistryFact(Authenticated = true)]
    public async Task Credentials_are_found_in_MLOPS_REGISTRY_variables()
    {
        _environment.Set("MLOPS_REGISTRY_USERNAME", LocalRegistry.UserName).Set("MLOPS_REGISTRY_PASSWORD", LocalRegistry.Password);
        using var models = new OciModelRegistry(_registry.NewRepository(), Quick);

        await PushAndPullAsync(models);
    }

    private async Task PushAndPullAsync(OciModelRegistry models)
    {
        var destination = _folder.PathOf("pulled/churn.mlpkg");

        await models.PushAsync(_package, _annotations, ["2.1.0"]);
        var pulled = await models.PullAsync(ModelPackages.Name, "2.1.0", destination);

        pulled.ShouldNotBeNull();
        File.ReadAllBytes(destination).ShouldBe(File.ReadAllBytes(_package));
        (await RegistryProbe.TagsAsync(_registry, models.RepositoryFor(ModelPackages.Name))).ShouldContain("2.1.0");
    }
}
