using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MlOps.Ci.GitHub.Tests.Fake;

namespace MlOps.Ci.GitHub.Tests;

/// <summary>The fake's OpenAPI check is what makes the other tests meaningful: it must reject what GitHub would not accept.</summary>
public sealed class OpenApiCheckTests : GitHubFixture
{
    private async Task<HttpStatusCode> SendAsync(HttpMethod method, string path, string? json)
    {
        using var http = new HttpClient { BaseAddress = Fake.BaseAddress };
        using var request = new HttpRequestMessage(method, "api/v3" + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("token", FakeGitHub.WriteToken);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task A_deployment_status_with_a_state_GitHub_does_not_know_is_rejected()
    {
        var deployment = Fake.SeedDeployment("staging", new string('a', 40), new Dictionary<string, string> { ["modelVersion"] = "1" });

        var status = await SendAsync(HttpMethod.Post, $"/repos/{FakeGitHub.Owner}/{FakeGitHub.Repo}/deployments/{deployment.Id}/statuses", """{"state":"done"}""");

        status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        Fake.Violations.ShouldHaveSingleItem().ShouldContain("enum");
        deployment.Statuses.ShouldBeEmpty();
        Fake.Violations.Clear();
    }

    [Fact]
    public async Task A_misspelt_field_a_wrong_type_and_a_missing_required_field_are_each_rejected()
    {
        var path = $"/repos/{FakeGitHub.Owner}/{FakeGitHub.Repo}/deployments";

        (await SendAsync(HttpMethod.Post, path, """{"ref":"main","auto_merge":false,"required_contexts":[],"enviroment":"staging"}""")).ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await SendAsync(HttpMethod.Post, path, """{"ref":"main","auto_merge":"no","required_contexts":[]}""")).ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await SendAsync(HttpMethod.Post, path, """{"environment":"staging"}""")).ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await SendAsync(HttpMethod.Post, path, null)).ShouldBe(HttpStatusCode.UnprocessableEntity);

        Fake.Deployments.ShouldBeEmpty();
        Fake.Violations.Count.ShouldBe(4);
        Fake.Violations.ShouldContain(v => v.Contains("enviroment", StringComparison.Ordinal));
        Fake.Violations.Clear();
    }

    [Fact]
    public async Task A_route_or_query_parameter_GitHub_does_not_have_is_rejected()
    {
        (await SendAsync(HttpMethod.Delete, $"/repos/{FakeGitHub.Owner}/{FakeGitHub.Repo}/deployments", null)).ShouldBe(HttpStatusCode.NotFound);
        (await SendAsync(HttpMethod.Get, $"/repos/{FakeGitHub.Owner}/{FakeGitHub.Repo}/deployments?enviroment=staging", null)).ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await SendAsync(HttpMethod.Get, $"/repos/{FakeGitHub.Owner}/{FakeGitHub.Repo}/deployments?per_page=many", null)).ShouldBe(HttpStatusCode.UnprocessableEntity);

        Fake.Violations.Count.ShouldBeGreaterThanOrEqualTo(3);
        Fake.Violations.Clear();
    }

    [Fact]
    public void An_empty_or_partial_response_body_breaks_the_response_schema()
    {
        var create = OpenApiDescription.GitHub.Operations.Single(o => o.OperationId == "repos/create-deployment");

        OpenApiDescription.CheckResponse(create, 201, "{}").ShouldNotBeEmpty();
        OpenApiDescription.CheckResponse(create, 201, """{"id":1,"url":"x"}""").ShouldNotBeEmpty();
        OpenApiDescription.CheckResponse(create, 201, null).ShouldNotBeEmpty();
    }
}
