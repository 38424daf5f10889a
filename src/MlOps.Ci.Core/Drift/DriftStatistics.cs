namespace MlOps.Ci.Drift;

/// <summary>The distribution functions the drift checks need: the chi-square distribution and the KS critical value.</summary>
public static class DriftStatistics
{
    /// <summary>
    /// The significance at which a threshold is raised for small samples: noise alone reaches the raised value in one
    /// check out of a thousand, so a short log of unchanged traffic does not alarm.
    /// </summary>
    public const double NoiseSignificance = 0.001;

    /// <summary>P(X ≥ <paramref name="statistic"/>) for X ~ χ²(<paramref name="degreesOfFreedom"/>).</summary>
    public static double ChiSquareSurvival(double statistic, int degreesOfFreedom)
    {
        if (degreesOfFreedom <= 0)
            return 1;
        if (statistic <= 0)
            return 1;
        return UpperRegularizedGamma(degreesOfFreedom / 2.0, statistic / 2.0);
    }

    /// <summary>The value a χ²(<paramref name="degreesOfFreedom"/>) variable exceeds with probability <paramref name="significance"/>.</summary>
    public static double ChiSquareCritical(double significance, int degreesOfFreedom)
    {
        if (degreesOfFreedom <= 0)
            return 0;
        double low = 0, high = Math.Max(10, degreesOfFreedom * 10.0);
        while (ChiSquareSurvival(high, degreesOfFreedom) > significance)
            high *= 2;
        for (var i = 0; i < 200 && high - low > 1e-10 * high; i++)
        {
            var middle = (low + high) / 2;
            if (ChiSquareSurvival(middle, degreesOfFreedom) > significance)
                low = middle;
            else
                high = middle;
        }
        return (low + high) / 2;
    }

    /// <summary>
    /// The smallest PSI that noise alone reaches with probability <paramref name="significance"/> between samples of
    /// <paramref name="trainingRows"/> and <paramref name="liveRows"/> over <paramref name="bins"/> bins: under no drift,
    /// PSI · (n·m/(n+m)) is approximately χ²(bins − 1) (PSI is the symmetric Kullback–Leibler divergence, whose scaled
    /// sample value has the G-test's limit).
    /// </summary>
    public static double PsiNoiseLevel(long trainingRows, long liveRows, int bins, double significance = NoiseSignificance) =>
        trainingRows <= 0 || liveRows <= 0 ? double.PositiveInfinity
        : ChiSquareCritical(significance, bins - 1) / EffectiveSize(trainingRows, liveRows);

    /// <summary>
    /// The two-sample Kolmogorov–Smirnov critical distance at <paramref name="significance"/>:
    /// c(α) · √((n + m)/(n·m)) with c(α) = √(−ln(α/2)/2), the asymptotic (Smirnov) form.
    /// </summary>
    public static double KsNoiseLevel(long trainingRows, long liveRows, double significance = NoiseSignificance) =>
        trainingRows <= 0 || liveRows <= 0 ? double.PositiveInfinity
        : Math.Sqrt(-Math.Log(significance / 2) / 2) / Math.Sqrt(EffectiveSize(trainingRows, liveRows));

    private static double EffectiveSize(long n, long m) => (double)n * m / ((double)n + m);

    /// <summary>
    /// The two-sample chi-square test of homogeneity on a 2 × k table (training counts against live counts); columns
    /// empty in both are left out. Both samples are random here, so the training counts are not treated as exact
    /// expectations: that would make a long log of unchanged traffic look significant.
    /// </summary>
    public static (double Statistic, int DegreesOfFreedom, double PValue) ChiSquareHomogeneity(IReadOnlyList<double> training, IReadOnlyList<double> live)
    {
        double trainingTotal = 0, liveTotal = 0;
        var used = 0;
        for (var i = 0; i < training.Count; i++)
        {
            trainingTotal += training[i];
            liveTotal += live[i];
            if (training[i] + live[i] > 0)
                used++;
        }
        var total = trainingTotal + liveTotal;
        if (trainingTotal <= 0 || liveTotal <= 0 || used < 2)
            return (0, 0, 1);
        var statistic = 0.0;
        for (var i = 0; i < training.Count; i++)
        {
            var columnTotal = training[i] + live[i];
            if (columnTotal <= 0)
                continue;
            var expectedTraining = columnTotal * trainingTotal / total;
            var expectedLive = columnTotal * liveTotal / total;
            statistic += (training[i] - expectedTraining) * (training[i] - expectedTraining) / expectedTraining
                + (live[i] - expectedLive) * (live[i] - expectedLive) / expectedLive;
        }
        var degrees = used - 1;
        return (statistic, degrees, ChiSquareSurvival(statistic, degrees));
    }

    /// <summary>Q(a, x) = Γ(a, x)/Γ(a): a series below a + 1, a continued fraction above (Numerical Recipes §6.2).</summary>
    internal static double UpperRegularizedGamma(double a, double x)
    {
        if (x < a + 1)
            return 1 - LowerSeries(a, x);
        return UpperContinuedFraction(a, x);
    }

    private static double LowerSeries(double a, double x)
    {
        double term = 1 / a, sum = term;
        for (var n = 1; n < 1000; n++)
        {
            term *= x / (a + n);
            sum += term;
            if (Math.Abs(term) < Math.Abs(sum) * 1e-15)
                break;
        }
        return sum * Math.Exp(-x + a * Math.Log(x) - LogGamma(a));
    }

    private static double UpperContinuedFraction(double a, double x)
    {
        const double tiny = 1e-300;
        double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
        for (var i = 1; i < 1000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.Abs(d) < tiny)
                d = tiny;
            c = b + an / c;
            if (Math.Abs(c) < tiny)
                c = tiny;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-15)
                break;
        }
        return Math.Exp(-x + a * Math.Log(x) - LogGamma(a)) * h;
    }

    /// <summary>ln Γ(x) by the Lanczos approximation (g = 7, n = 9), accurate to about 15 digits for x &gt; 0.</summary>
    internal static double LogGamma(double x)
    {
        ReadOnlySpan<double> coefficients =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        if (x < 0.5)
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        var sum = coefficients[0];
        for (var i = 1; i < coefficients.Length; i++)
            sum += coefficients[i] / (x + i);
        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
