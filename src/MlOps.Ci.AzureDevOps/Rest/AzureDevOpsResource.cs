namespace MlOps.Ci.AzureDevOps.Rest;

/// <summary>
/// One thing the REST client works on (a pull request, a pipeline): the route every request starts with, the token
/// that may act on it, and what a 401, 403, 404 or 400 means for it, so each failure tells the user what to fix for
/// this resource rather than in general.
/// </summary>
internal sealed record AzureDevOpsResource(string BaseUrl, string AccessToken, string Description)
{
    public required string UnauthorizedHint { get; init; }
    public required string ForbiddenHint { get; init; }
    public required string NotFoundCode { get; init; }
    public required string NotFoundHint { get; init; }

    /// <summary>
    /// Where a 400 is the user's input refused (a pipeline parameter its YAML does not declare) rather than a client
    /// bug: the code and hint for it. Null: a 400 is reported as a rejected request.
    /// </summary>
    public string? BadRequestCode { get; init; }
    public string? BadRequestHint { get; init; }

    /// <summary>The token never reaches a log through this record's ToString.</summary>
    public override string ToString() => Description;
}
