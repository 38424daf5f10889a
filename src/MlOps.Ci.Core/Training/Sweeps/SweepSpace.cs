using System.Globalization;
using MlOps.Ci.Pipeline;

namespace MlOps.Ci.Training.Sweeps;

/// <summary>One trial of a sweep: its number (1-based, in plan order) and the swept values it tries, in declaration order.</summary>
public sealed record SweepTrial(int Number, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>"NumberOfTrees=200, LearningRate=0.1": how logs and errors name the trial.</summary>
    public string Describe() => Describe(Parameters);

    /// <summary>"NumberOfTrees=100, LearningRate=0.05": a trial's parameters in logs and messages.</summary>
    public static string Describe(IReadOnlyDictionary<string, string> parameters) => string.Join(", ", parameters.Select(p => $"{p.Key}={p.Value}"));
}

/// <summary>
/// The trials a sweep runs, in a fixed order. Values only: the grid, every combination, the first item varying
/// slowest (with SweepTrials below the grid's size: a seeded random subset of it). Any range: random search,
/// SweepTrials draws (default 10) where each range is sampled (log-uniformly for Scale="Log"; whole numbers for
/// integer options) and each Values item is a uniform choice among its values. The project's Seed seeds the draws,
/// so the same project always runs the same trials, on every shard of a split sweep.
/// </summary>
public static class SweepSpace
{
    /// <summary>Draws that repeat an earlier trial are redrawn; a small space may run out before the budget does.</summary>
    private const int DrawsPerTrial = 50;

    public static IReadOnlyList<SweepTrial> Trials(PipelineDefinition definition)
    {
        var options = TrainerCatalog.Find(definition).OptionsType;
        var axes = definition.Sweeps.Select(s => (Sweep: s, Type: HyperparameterBinder.TypeOf(options, s.Name)!)).ToList();
        var random = new Random(definition.Seed);
        List<IReadOnlyDictionary<string, string>> points;
        if (axes.Any(a => a.Sweep.IsRange))
        {
            points = Draw(axes, definition.SweepTrials ?? SweepSettings.DefaultRandomTrials, random);
        }
        else
        {
            points = Grid(axes.Select(a => a.Sweep).ToList());
            if (definition.SweepTrials is { } budget && budget < points.Count)
            {
                // A seeded shuffle, then back into grid order so trial numbers read naturally.
                var chosen = Enumerable.Range(0, points.Count).ToArray();
                random.Shuffle(chosen);
                points = chosen.Take(budget).Order().Select(i => points[i]).ToList();
            }
        }
        return points.Select((p, i) => new SweepTrial(i + 1, p)).ToList();
    }

    /// <summary>The values of a trial on top of the project's fixed hyperparameters: what the trial (or the winner's final model) trains with.</summary>
    public static PipelineDefinition Apply(PipelineDefinition definition, IReadOnlyDictionary<string, string> parameters)
    {
        var merged = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in definition.Hyperparameters)
            merged[name] = value;
        foreach (var (name, value) in parameters)
            merged[name] = value;
        return definition with { Hyperparameters = merged, Sweeps = [], SweepTrials = null, SweepFolds = null, SweepValidationFraction = null, SweepMetric = null };
    }

    internal static bool IsInteger(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)
        || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(sbyte);

    internal static bool IsNumber(Type type) => IsInteger(type) || type == typeof(double) || type == typeof(float) || type == typeof(decimal);

    private static List<IReadOnlyDictionary<string, string>> Grid(IReadOnlyList<SweepParameter> sweeps)
    {
        IEnumerable<IEnumerable<(string Name, string Value)>> product = [[]];
        foreach (var sweep in sweeps)
        {
            var values = ValuesOf(sweep);
            product = product.SelectMany(prefix => values.Select(v => prefix.Append((sweep.Name, v))));
        }
        return product.Select(AsParameters).ToList();
    }

    private static List<IReadOnlyDictionary<string, string>> Draw(IReadOnlyList<(SweepParameter Sweep, Type Type)> axes, int budget, Random random)
    {
        var points = new List<IReadOnlyDictionary<string, string>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var draw = 0; points.Count < budget && draw < budget * DrawsPerTrial; draw++)
        {
            var point = AsParameters(axes.Select(a => (a.Sweep.Name, a.Sweep.IsRange ? Sample(a.Sweep, a.Type, random) : Choose(ValuesOf(a.Sweep), random))));
            if (seen.Add(string.Join("\n", point.Values)))
                points.Add(point);
        }
        return points;
    }

    private static IReadOnlyList<string> ValuesOf(SweepParameter sweep) => sweep.Values.Select(v => v.Trim()).Where(v => v.Length > 0).ToList();

    private static string Choose(IReadOnlyList<string> values, Random random) => values[random.Next(values.Count)];

    private static string Sample(SweepParameter sweep, Type type, Random random)
    {
        double minimum = sweep.Minimum!.Value, maximum = sweep.Maximum!.Value;
        var u = random.NextDouble();
        if (IsInteger(type))
        {
            // Whole numbers from [Minimum, Maximum] inclusive; on a log scale by rounding a log-uniform draw over [Minimum − ½, Maximum + ½].
            var value = sweep.Scale == SweepScale.Log
                ? Math.Round(Math.Exp(Math.Log(minimum) + u * (Math.Log(maximum + 0.5) - Math.Log(minimum))))
                : Math.Floor(minimum + u * (maximum - minimum + 1));
            return ((long)Math.Clamp(value, minimum, maximum)).ToString(CultureInfo.InvariantCulture);
        }
        var sampled = sweep.Scale == SweepScale.Log ? Math.Exp(Math.Log(minimum) + u * (Math.Log(maximum) - Math.Log(minimum))) : minimum + u * (maximum - minimum);
        // Four significant digits: finer steps do not change a model's quality measurably, and the trials table stays readable.
        return Math.Clamp(double.Parse(sampled.ToString("G4", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), minimum, maximum).ToString("R", CultureInfo.InvariantCulture);
    }

    private static IReadOnlyDictionary<string, string> AsParameters(IEnumerable<(string Name, string Value)> values)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
            parameters[name] = value;
        return parameters;
    }
}
