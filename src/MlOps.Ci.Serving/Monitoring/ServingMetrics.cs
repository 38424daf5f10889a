using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Serving.Model;
using MlOps.Ci.Serving.Protocol;
using Prometheus;

namespace MlOps.Ci.Serving.Monitoring;

/// <summary>
/// The host's Prometheus metrics, in a registry of its own (two hosts in one process never share counters): requests by
/// endpoint and status, latency, what the model predicts, the model's identity, and the request log's health.
/// </summary>
internal sealed class ServingMetrics
{
    /// <summary>Fine enough below a millisecond, where a small model's requests are.</summary>
    public static readonly double[] LatencyBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Counter _predictions;
    private readonly Histogram? _probability;
    private readonly Histogram? _score;
    private readonly Counter? _predictedClass;
    private readonly Dictionary<string, Counter.Child> _classes = new(StringComparer.Ordinal);
    private readonly Counter _logWritten;
    private readonly Counter _logDropped;

    public ServingMetrics(ServedModel model)
    {
        Registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        var factory = Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateCounter("mlops_http_requests_total", "HTTP requests answered, by endpoint and status code.",
            new CounterConfiguration { LabelNames = ["endpoint", "status"] });
        _duration = factory.CreateHistogram("mlops_http_request_duration_seconds", "Time from request to response, by endpoint.",
            new HistogramConfiguration { LabelNames = ["endpoint"], Buckets = LatencyBuckets });
        factory.CreateGauge("mlops_model_info", "The served model: always 1, its identity in the labels.",
            new GaugeConfiguration { LabelNames = ["model", "version", "fingerprint", "execution_provider"] })
            .WithLabels(model.Name, model.Version, model.Fingerprint, model.Provider).Set(1);
        _predictions = factory.CreateCounter("mlops_predictions_total", "Rows scored.");

        switch (model.Task)
        {
            case ModelTask.BinaryClassification:
                _probability = factory.CreateHistogram("mlops_prediction_probability", "The predicted probability of the positive class, per row.",
                    new HistogramConfiguration { Buckets = Histogram.LinearBuckets(0.05, 0.05, 20) });
                _predictedClass = PredictedClass(factory);
                break;
            case ModelTask.MulticlassClassification:
                _predictedClass = PredictedClass(factory);
                break;
            default:
                _score = factory.CreateHistogram("mlops_prediction_score", "The predicted value, per row; buckets span the training label's range.",
                    new HistogramConfiguration { Buckets = ScoreBuckets(model) });
                break;
        }
        if (_predictedClass is not null)
        {
            // Every class shows from the start, at 0, so a class the model stopped predicting is visible.
            foreach (var label in model.Classes)
                _classes[label] = _predictedClass.WithLabels(label);
        }

        _logWritten = factory.CreateCounter("mlops_request_log_rows_total", "Rows written to the request log.");
        _logDropped = factory.CreateCounter("mlops_request_log_dropped_total", "Sampled requests not logged because the log's queue was full.");
    }

    public CollectorRegistry Registry { get; }

    public EndpointMetrics Endpoint(string name) => new(name, _requests, _duration.WithLabels(name));

    public void LogWritten(int rows) => _logWritten.Inc(rows);

    public void LogDropped() => _logDropped.Inc();

    public void RecordPredictions(ScoringBatch batch)
    {
        var model = batch.Model;
        _predictions.Inc(batch.Rows);
        if (_probability is not null && model.ProbabilityOutput >= 0)
        {
            var probabilities = batch.Floats[model.ProbabilityOutput];
            for (var row = 0; row < batch.Rows; row++)
                _probability.Observe(probabilities[row]);
        }
        if (_score is not null && model.ScoreOutput >= 0)
        {
            var scores = batch.Floats[model.ScoreOutput];
            var width = Math.Max(1, batch.Widths[model.ScoreOutput]);
            for (var row = 0; row < batch.Rows; row++)
                _score.Observe(scores[row * width]);
        }
        if (_predictedClass is not null && model.LabelOutput >= 0 && model.Outputs[model.LabelOutput].ElementType is TensorElementType.Bool or TensorElementType.String)
        {
            for (var row = 0; row < batch.Rows; row++)
            {
                var label = PredictionWriter.Label(batch, row)!;
                (_classes.TryGetValue(label, out var child) ? child : _predictedClass.WithLabels(label)).Inc();
            }
        }
    }

    private static Counter PredictedClass(MetricFactory factory) =>
        factory.CreateCounter("mlops_predicted_class_total", "Rows predicted as each class.", new CounterConfiguration { LabelNames = ["class"] });

    /// <summary>Ten even buckets over the training label's range (from the package's data profile), else powers of ten.</summary>
    private static double[] ScoreBuckets(ServedModel model)
    {
        var label = model.Package.Profile.Columns.FirstOrDefault(c => c.Name == model.Card.Signature.LabelColumn);
        if (label is { Minimum: { } minimum, Maximum: { } maximum } && maximum > minimum)
        {
            var width = (maximum - minimum) / 10;
            return Enumerable.Range(0, 11).Select(i => Math.Round(minimum + i * width, 6)).Distinct().ToArray();
        }
        return [-1000, -100, -10, -1, 0, 1, 10, 100, 1000, 10000];
    }
}

/// <summary>One endpoint's request counter and latency histogram, resolved once so recording costs no label lookup.</summary>
internal sealed class EndpointMetrics(string name, Counter requests, Histogram.Child duration)
{
    private readonly ConcurrentDictionary<int, Counter.Child> _statuses = new();

    public string Name { get; } = name;

    public void Record(int statusCode, double seconds)
    {
        duration.Observe(seconds);
        _statuses.GetOrAdd(statusCode, static (status, self) => self.Counter(status), this).Inc();
    }

    private Counter.Child Counter(int status) => requests.WithLabels(Name, status.ToString(CultureInfo.InvariantCulture));
}
