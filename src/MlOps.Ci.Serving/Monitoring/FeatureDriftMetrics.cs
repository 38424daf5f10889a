using MlOps.Ci.Data;
using MlOps.Ci.Drift;
using MlOps.Ci.Serving.Model;
using Prometheus;

namespace MlOps.Ci.Serving.Monitoring;

/// <summary>
/// The rolling drift score on /metrics: <c>mlops_feature_drift_psi{feature}</c>, the population stability index of each
/// input over the last <see cref="ServingOptions.DriftWindowRows"/> scored rows against the package's training profile
/// (the same bins as <see cref="DistributionShift"/>), so Prometheus can alert between scheduled <c>mlops drift</c> runs.
/// </summary>
/// <remarks>
/// Memory is bounded by the window: each feature keeps the bin of every row in the window (a ring of ushorts) and a count
/// per bin, so a row costs one bin lookup and two counter updates per feature. A request never waits for another: when
/// the window is being updated by a concurrent request, the batch is left out (the window is a sample of the traffic, and
/// /metrics says how many rows it holds). PSI itself is computed only when /metrics is scraped.
/// </remarks>
internal sealed class FeatureDriftMetrics
{
    /// <summary>The ring's marker for a row whose value was missing: it counts in no bin, as the profile counts it in none.</summary>
    private const ushort NotCounted = ushort.MaxValue;

    private readonly FeatureWindow[] _features;
    private readonly int _capacity;
    private readonly Lock _lock = new();
    private readonly Gauge _windowRows;
    private int _next;
    private int _filled;

    public FeatureDriftMetrics(ServedModel model, ServingMetrics metrics, ServingOptions options)
    {
        _capacity = options.DriftWindowRows;
        var profile = model.Package.Profile.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        _features = _capacity == 0 ? [] : model.Inputs
            .Select(input => profile.TryGetValue(input.Name, out var column) ? FeatureWindow.Of(input, column, _capacity) : null)
            .OfType<FeatureWindow>()
            .ToArray();

        var factory = Metrics.WithCustomRegistry(metrics.Registry);
        var psi = factory.CreateGauge("mlops_feature_drift_psi",
            "Population stability index of each input over the last scored rows (mlops_feature_drift_window_rows) against the training profile; NaN until a row is seen.",
            new GaugeConfiguration { LabelNames = ["feature"] });
        _windowRows = factory.CreateGauge("mlops_feature_drift_window_rows", "Scored rows in the rolling window the drift scores are computed over.");
        foreach (var feature in _features)
        {
            feature.Gauge = psi.WithLabels(feature.Name);
            feature.Gauge.Set(double.NaN);
        }
        metrics.Registry.AddBeforeCollectCallback(Publish);
    }

    /// <summary>Adds the batch's rows to the window, replacing the oldest; skips the batch rather than wait for another request.</summary>
    public void Record(ScoringBatch batch)
    {
        if (_features.Length == 0 || batch.Rows == 0 || !_lock.TryEnter())
            return;
        try
        {
            // Only the last _capacity rows of a large batch can stay in the window.
            var first = Math.Max(0, batch.Rows - _capacity);
            for (var row = first; row < batch.Rows; row++)
            {
                var slot = _next;
                var full = _filled == _capacity;
                foreach (var feature in _features)
                    feature.Replace(slot, full, feature.BinOf(batch, row));
                _next = slot + 1 == _capacity ? 0 : slot + 1;
                if (!full)
                    _filled++;
            }
        }
        finally
        {
            _lock.Exit();
        }
    }

    private void Publish()
    {
        lock (_lock)
        {
            _windowRows.Set(_filled);
            foreach (var feature in _features)
                feature.Gauge!.Set(feature.Psi());
        }
    }

    /// <summary>One feature's reference shares, its bins, and the bin of each row in the window.</summary>
    private sealed class FeatureWindow
    {
        private readonly InputColumn _input;
        private readonly IReadOnlyList<double> _referenceShares;
        private readonly double[]? _interiorEdges;
        private readonly Dictionary<string, ushort>? _categories;
        private readonly ushort[] _ring;
        private readonly long[] _counts;
        private long _present;

        private FeatureWindow(InputColumn input, IReadOnlyList<double> referenceShares, double[]? interiorEdges, Dictionary<string, ushort>? categories, int capacity)
        {
            _input = input;
            _referenceShares = referenceShares;
            _interiorEdges = interiorEdges;
            _categories = categories;
            _ring = new ushort[capacity];
            _counts = new long[referenceShares.Count];
        }

        public string Name => _input.Name;
        public Gauge.Child? Gauge { get; set; }

        /// <summary>The window of a column the profile has a reference distribution for, else null.</summary>
        public static FeatureWindow? Of(InputColumn input, ColumnProfile column, int capacity)
        {
            if (!input.IsText && column.Histogram is { Counts.Count: > 0 } histogram)
            {
                // The end bins reach to infinity, as DistributionShift.Rebin treats them: a value outside the training
                // range lands in the first or last bin.
                var interior = histogram.Edges.Skip(1).Take(histogram.Counts.Count - 1).ToArray();
                return new FeatureWindow(input, DistributionShift.Shares(histogram.Counts.Select(c => (double)c).ToList()), interior, null, capacity);
            }
            if (input.IsText && column.TopCategories is { Count: > 0 } top && top.Count < NotCounted)
            {
                var categories = new Dictionary<string, ushort>(StringComparer.Ordinal);
                for (var i = 0; i < top.Count; i++)
                    categories[top[i].Value] = (ushort)i;
                // Everything outside the top categories (new ones included) is "other", the last bin, as DistributionShift.Psi counts it.
                var counts = DistributionShift.WithOtherBin(top.Select(c => (double)c.Count), column.Count, column.Missing);
                return new FeatureWindow(input, DistributionShift.Shares(counts), null, categories, capacity);
            }
            return null;
        }

        public ushort BinOf(ScoringBatch batch, int row)
        {
            if (_interiorEdges is { } edges)
            {
                var value = batch.Numbers[_input.Index][row];
                if (float.IsNaN(value))
                    return NotCounted;
                var index = Array.BinarySearch(edges, (double)value);
                // A value equal to an edge starts the bin above it; otherwise the complement is the count of edges below it.
                return (ushort)(index >= 0 ? index + 1 : ~index);
            }
            var text = batch.Texts[_input.Index][row];
            if (text.Length == 0)
                return NotCounted;
            return _categories!.TryGetValue(text, out var category) ? category : (ushort)(_counts.Length - 1);
        }

        public void Replace(int slot, bool full, ushort bin)
        {
            if (full && _ring[slot] is var old && old != NotCounted)
            {
                _counts[old]--;
                _present--;
            }
            _ring[slot] = bin;
            if (bin != NotCounted)
            {
                _counts[bin]++;
                _present++;
            }
        }

        public double Psi()
        {
            if (_present == 0)
                return double.NaN;
            var shares = new double[_counts.Length];
            for (var i = 0; i < shares.Length; i++)
                shares[i] = (double)_counts[i] / _present;
            return DistributionShift.Psi(_referenceShares, shares);
        }

    }
}
