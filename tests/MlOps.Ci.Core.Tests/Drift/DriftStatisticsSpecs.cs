using MlOps.Ci.Drift;

namespace MlOps.Ci.Core.Tests.Drift;

public sealed class DriftStatisticsSpecs
{
    [Theory]
    [InlineData(3.841459, 1, 0.05)]
    [InlineData(6.634897, 1, 0.01)]
    [InlineData(18.307038, 10, 0.05)]
    [InlineData(10.827566, 1, 0.001)]
    [InlineData(45.314746, 20, 0.001)]
    public void The_chi_square_tail_matches_published_critical_values(double statistic, int degrees, double tail)
    {
        DriftStatistics.ChiSquareSurvival(statistic, degrees).ShouldBe(tail, tail * 1e-4);
        DriftStatistics.ChiSquareCritical(tail, degrees).ShouldBe(statistic, 1e-4);
    }

    [Fact]
    public void With_two_degrees_of_freedom_the_tail_is_the_exponential()
    {
        foreach (var x in new[] { 0.1, 1.0, 4.0, 25.0 })
            DriftStatistics.ChiSquareSurvival(x, 2).ShouldBe(Math.Exp(-x / 2), 1e-12);
    }

    [Fact]
    public void The_homogeneity_test_of_a_two_by_three_table_matches_the_hand_computation()
    {
        // Row totals 100 and 100, column totals 80, 60, 60, grand total 200: every expected cell is half its column.
        // χ² = 2·((50−40)²/40 + (30−30)²/30 + (20−30)²/30) = 2·(2.5 + 0 + 3.3333) = 11.6667 on 2 df; p = e^(−χ²/2).
        var (statistic, degrees, pValue) = DriftStatistics.ChiSquareHomogeneity([50, 30, 20], [30, 30, 40]);

        statistic.ShouldBe(11.666667, 1e-5);
        degrees.ShouldBe(2);
        pValue.ShouldBe(Math.Exp(-11.666667 / 2), 1e-7);
    }

    [Fact]
    public void Categories_empty_in_both_samples_do_not_count_as_degrees_of_freedom()
    {
        var (_, degrees, _) = DriftStatistics.ChiSquareHomogeneity([50, 0, 50], [40, 0, 60]);

        degrees.ShouldBe(1);
    }

    [Fact]
    public void The_noise_levels_shrink_with_the_sample_and_are_what_the_distributions_give()
    {
        // KS: c(0.001) = √(−ln(0.0005)/2) = 1.9495; for n = m = 1000, × √(2/1000).
        DriftStatistics.KsNoiseLevel(1000, 1000).ShouldBe(1.94947 * Math.Sqrt(2.0 / 1000), 1e-4);
        // PSI over 21 bins between 4,000 training and 1,000 live rows: χ²(20) at 0.001 over n·m/(n+m) = 800.
        DriftStatistics.PsiNoiseLevel(4000, 1000, 21).ShouldBe(45.314746 / 800, 1e-6);
        DriftStatistics.PsiNoiseLevel(4000, 1_000_000, 21).ShouldBeLessThan(0.02);
    }
}
