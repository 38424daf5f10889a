using MlOps.Ci.Diagnostics;
using MlOps.Ci.Serving.Tests.Support;

namespace MlOps.Ci.Serving.Tests;

/// <summary>ModelHost.Build fails before anything listens when the package or the options cannot work.</summary>
[Collection(ServingCollection.Name)]
public sealed class ModelHostSpecs(ServingFixture fixture)
{
    [Fact]
    public void A_missing_package_fails_with_its_diagnostic()
    {
        var exception = Should.Throw<MlOpsException>(() => ModelHost.Build(new ServingOptions(fixture.Models.Folder.PathOf("nowhere/churn.mlpkg"))));

        exception.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.PackageInvalid);
    }

    [Fact]
    public void A_file_that_is_not_a_package_fails_with_its_diagnostic()
    {
        var path = fixture.Models.Folder.Write($"{Guid.NewGuid():N}.mlpkg", "not a zip");

        var exception = Should.Throw<MlOpsException>(() => ModelHost.Build(new ServingOptions(path)));

        exception.Diagnostics.ShouldHaveSingleItem().Code.ShouldBe(DiagnosticCodes.PackageInvalid);
    }

    [Theory]
    [InlineData("RequestLogSampleRate")]
    [InlineData("MaxBatchRows")]
    [InlineData("MaxRequestBodyBytes")]
    [InlineData("Urls")]
    public void Options_that_cannot_work_are_refused_by_name(string option)
    {
        var options = new ServingOptions(fixture.Models.Churn.PackagePath);
        options = option switch
        {
            "RequestLogSampleRate" => options with { RequestLogSampleRate = 1.5 },
            "MaxBatchRows" => options with { MaxBatchRows = 0 },
            "MaxRequestBodyBytes" => options with { MaxRequestBodyBytes = -1 },
            _ => options with { Urls = " " },
        };

        Should.Throw<ArgumentException>(() => ModelHost.Build(options)).ParamName.ShouldBe(option);
    }
}
