using System.Globalization;

namespace MlOps.Ci.Testing;

/// <summary>
/// Small learnable CSV tables, generated from a seed so every run sees the same bytes. Each has a numeric column with
/// holes, a categorical column, a yes/no column and a label the features explain well (with some noise).
/// </summary>
public static class SyntheticData
{
    public const string Header = "Age,Usage,Plan,Active";
    private static readonly string[] Plans = ["Basic", "Plus", "Pro"];

    /// <summary>Label <c>Bought</c> (Yes/No).</summary>
    public static IEnumerable<string> Binary(int rows, int seed) => Rows(rows, seed, "Bought", (random, age, usage, plan, active) =>
    {
        var logit = -3 + 0.06 * age + 0.5 * usage + 1.2 * plan + (active ? 1 : -1);
        return random.NextDouble() < 1 / (1 + Math.Exp(-logit)) ? "Yes" : "No";
    });

    /// <summary>Label <c>Tier</c> (Bronze/Silver/Gold), mostly decided by usage and plan.</summary>
    public static IEnumerable<string> Multiclass(int rows, int seed) => Rows(rows, seed, "Tier", (random, age, usage, plan, active) =>
    {
        var points = usage + 2 * plan + random.NextDouble() * 1.5;
        return points < 4 ? "Bronze" : points < 7.5 ? "Silver" : "Gold";
    });

    /// <summary>Label <c>Spend</c>, a positive number linear in the features plus noise.</summary>
    public static IEnumerable<string> Regression(int rows, int seed) => Rows(rows, seed, "Spend", (random, age, usage, plan, active) =>
    {
        var spend = 20 + 0.2 * age + 3 * usage + 8 * plan + (active ? 5 : 0) + Gaussian(random) * 2;
        return Math.Max(0.5, spend).ToString("0.##", CultureInfo.InvariantCulture);
    });

    private static IEnumerable<string> Rows(int rows, int seed, string label, Func<Random, double, double, int, bool, string> labelOf)
    {
        var random = new Random(seed);
        yield return $"{Header},{label}";
        for (var i = 0; i < rows; i++)
        {
            var age = 18 + random.Next(60);
            var usage = Math.Round(random.NextDouble() * 6, 2);
            var plan = random.Next(3);
            var active = random.NextDouble() < 0.5;
            var value = labelOf(random, age, usage, plan, active);
            // Real exports have holes: some usage figures and plans are missing.
            var usageText = random.NextDouble() < 0.03 ? "NA" : usage.ToString("0.##", CultureInfo.InvariantCulture);
            var planText = random.NextDouble() < 0.03 ? "" : Plans[plan];
            yield return $"{age},{usageText},{planText},{(active ? "yes" : "no")},{value}";
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
