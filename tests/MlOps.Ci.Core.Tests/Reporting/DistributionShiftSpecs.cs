using MlOps.Ci.Data;
using MlOps.Ci.Drift;

namespace MlOps.Ci.Core.Tests.Reporting;

public sealed class DistributionShiftSpecs
{
    private static ColumnProfile Numeric(string name, double[] edges, long[] counts) =>
        new(name, ColumnKind.Numeric, counts.Sum(), 0) { Histogram = new Histogram(edges, counts) };

    [Fact]
    public void The_same_distribution_has_no_shift()
    {
        var profile = Numeric("x", [0, 1, 2, 3], [10, 20, 30]);

        DistributionShift.Psi(profile, profile)!.Value.ShouldBe(0.0, 1e-12);
    }

    [Fact]
    public void A_distribution_that_moved_to_other_bins_is_a_major_shift()
    {
        var reference = Numeric("x", [0, 1, 2, 3], [50, 40, 10]);
        var current = Numeric("x", [0, 1, 2, 3], [10, 40, 50]);

        var shifts = DistributionShift.Compare(new DataProfile(100, [reference]), new DataProfile(100, [current]));

        shifts.Single().Psi.ShouldBeGreaterThan(DistributionShift.MajorThreshold);
        shifts.Single().Level.ShouldBe("major");
    }

    [Fact]
    public void Rebinning_onto_other_edges_keeps_every_value_including_those_outside_the_reference_range()
    {
        var source = new Histogram([-10, 0, 10, 20], [5, 10, 5]);

        var rebinned = DistributionShift.Rebin(source, [0, 5, 10]);

        rebinned.Sum().ShouldBe(20, 1e-9);
        rebinned[0].ShouldBe(5 + 5, 1e-9, "everything below 5: the whole first bin and half the second");
        rebinned[1].ShouldBe(5 + 5, 1e-9, "everything above 5, the third bin included");
    }

    [Fact]
    public void Categories_outside_the_reference_top_list_count_as_other()
    {
        var reference = new ColumnProfile("c", ColumnKind.Categorical, 100, 0) { TopCategories = [new("a", 60), new("b", 40)] };
        var current = new ColumnProfile("c", ColumnKind.Categorical, 100, 0) { TopCategories = [new("z", 70), new("a", 30)] };

        DistributionShift.Psi(reference, current)!.Value.ShouldBeGreaterThan(DistributionShift.MajorThreshold);
        DistributionShift.Psi(reference, reference)!.Value.ShouldBe(0.0, 1e-12);
    }
}
