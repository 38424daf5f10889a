using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Core.Tests.Support;
using MlOps.Ci.Data;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Core.Tests;

/// <summary>The training-data profile: the reference drift detection compares live data with.</summary>
public sealed class DataProfilerSpecs : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly DataProfile _profile;

    public DataProfilerSpecs()
    {
        var training = _folder.WriteLines("data/train.csv",
        [
            "Usage,Color,Bought",
            "7,red,Yes",
            "1,blue,No",
            "3,red,Yes",
            "NA,green,No",
            "10,,Yes",
            "2,red,No",
            "15,blue,Yes",
            ",NA,No",
            "4,green,Yes",
        ]);
        var definition = Definitions.In(_folder, "Bought", [training]);
        var validation = new PipelineRunner(NullLogger.Instance).Validate(definition);
        _profile = DataProfiler.Profile(DataTable.Load([training], validation.Schema));
    }

    public void Dispose() => _folder.Dispose();

    private ColumnProfile Column(string name) => _profile.Columns.Single(c => c.Name == name);

    [Theory]
    // numpy.quantile([1, 2, 3, 4, 7, 10, 15], p), the default linear interpolation between closest ranks.
    [InlineData("0", 1.0)]
    [InlineData("0.01", 1.06)]
    [InlineData("0.1", 1.6)]
    [InlineData("0.3", 2.8)]
    [InlineData("0.5", 4.0)]
    [InlineData("0.7", 7.6)]
    [InlineData("0.9", 12.0)]
    [InlineData("0.95", 13.5)]
    [InlineData("1", 15.0)]
    public void Quantiles_interpolate_linearly_between_closest_ranks_like_numpy(string probability, double expected)
    {
        Column("Usage").Quantiles.ShouldNotBeNull()[probability].ShouldBe(expected, 1e-9);
    }

    [Fact]
    public void Numeric_columns_count_missing_values_and_describe_the_rest()
    {
        var usage = Column("Usage");

        usage.Count.ShouldBe(9);
        usage.Missing.ShouldBe(2);
        usage.Minimum.ShouldBe(1);
        usage.Maximum.ShouldBe(15);
        usage.Mean.ShouldNotBeNull().ShouldBe(42.0 / 7, 1e-9);
        usage.Distinct.ShouldBe(7);
        usage.Histogram.ShouldNotBeNull().Counts.Sum().ShouldBe(7);
        usage.Histogram.Edges.Count.ShouldBe(usage.Histogram.Counts.Count + 1);
    }

    [Fact]
    public void Categorical_columns_count_the_most_frequent_values_first_and_missing_apart()
    {
        var color = Column("Color");

        color.Missing.ShouldBe(2);
        color.Distinct.ShouldBe(3);
        color.TopCategories.ShouldNotBeNull().Select(c => (c.Value, c.Count)).ShouldBe([("red", 3L), ("blue", 2L), ("green", 2L)]);
    }

    [Fact]
    public void The_label_is_profiled_with_the_features()
    {
        Column("Bought").TopCategories.ShouldNotBeNull().Select(c => (c.Value, c.Count)).ShouldBe([("Yes", 5L), ("No", 4L)]);
        _profile.Rows.ShouldBe(9);
    }
}
