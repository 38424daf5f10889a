using System.Text;
using System.Text.Json;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Core.Tests.Registry;

/// <summary>Where registry credentials are found: MLOPS_REGISTRY_* first, then the Docker configuration's auths.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class RegistryCredentialsSpecs : IDisposable
{
    private const string Registry = "registry.example.test:5000";
    private readonly TempFolder _folder = new();
    private readonly EnvironmentScope _environment = new();

    public RegistryCredentialsSpecs()
    {
        _environment.Set("DOCKER_CONFIG", _folder.PathOf("docker")).Set("MLOPS_REGISTRY_USERNAME", null).Set("MLOPS_REGISTRY_PASSWORD", null);
    }

    public void Dispose()
    {
        _environment.Dispose();
        _folder.Dispose();
    }

    private void WriteDockerConfig(string json) => _folder.Write("docker/config.json", json);

    private static string Basic(string user, string secret) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{secret}"));

    [Fact]
    public void Without_variables_or_a_docker_config_there_are_no_credentials()
    {
        RegistryCredentials.For(Registry).ShouldBeNull();
    }

    [Fact]
    public void An_auths_entry_is_matched_by_host_and_port_whatever_its_scheme_and_path()
    {
        WriteDockerConfig(JsonSerializer.Serialize(new
        {
            auths = new Dictionary<string, object>
            {
                ["registry.example.test"] = new { auth = Basic("other", "port-less") },
                [$"https://{Registry}/v1/"] = new { auth = Basic("ci-bot", "s3cret:with-colon") },
            },
        }));

        RegistryCredentials.For(Registry).ShouldBe(new RegistryCredential("ci-bot", "s3cret:with-colon"));
    }

    [Fact]
    public void An_identity_token_is_used_as_a_bearer_secret_without_a_user_name()
    {
        WriteDockerConfig("""{"auths": {"HOST": {"identitytoken": "token-123"}}}""".Replace("HOST", Registry));

        RegistryCredentials.For(Registry).ShouldBe(new RegistryCredential("", "token-123"));
    }

    [Fact]
    public void MLOPS_REGISTRY_variables_win_over_the_docker_config()
    {
        WriteDockerConfig("""{"auths": {"HOST": {"auth": "AUTH"}}}""".Replace("HOST", Registry).Replace("AUTH", Basic("docker", "login")));
        _environment.Set("MLOPS_REGISTRY_USERNAME", "env-user").Set("MLOPS_REGISTRY_PASSWORD", "env-token");

        RegistryCredentials.For(Registry).ShouldBe(new RegistryCredential("env-user", "env-token"));
    }

    [Theory]
    [InlineData("""{"auths": {"HOST": {"auth": "not base64!"}}}""")]
    [InlineData("""{"auths": ["HOST"]}""")]
    [InlineData("""{"auths": {"HOST": "user:pass"}}""")]
    [InlineData("""{"auths": {"HOST": {"auth": 42}}}""")]
    [InlineData("not json")]
    public void A_damaged_docker_config_gives_no_credentials_rather_than_an_exception(string config)
    {
        WriteDockerConfig(config.Replace("HOST", Registry));

        RegistryCredentials.For(Registry).ShouldBeNull();
    }
}
