using System.Globalization;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Packaging;

namespace MlOps.Ci.Drift;

/// <summary>
/// Compares live inputs with the package's training-data profile, feature by feature, in one streaming pass with
/// memory bounded by the profile (bins and categories), not by the input. Numeric and boolean features: PSI over the
/// training histogram's bins and the Kolmogorov–Smirnov distance at its edges; categorical features: PSI and the
/// two-sample chi-square test over the training top categories plus "other"; every feature: the missing-value rate
/// against training's and the share of values training never saw. Thresholds come from the model card (declared in
/// the project as <c>DriftThreshold</c> items) or <see cref="DriftOptions.Thresholds"/>.
/// </summary>
public static class DriftDetector
{
    /// <param name="package">The model whose training profile is the reference.</param>
    /// <param name="input">The serving host's JSON-lines request log, or a CSV of the feature columns.</param>
    /// <param name="options">Thresholds and reading options.</param>
    /// <param name="packagePath">Where the package came from, for diagnostics about it.</param>
    public static DriftReport Analyze(ModelPackage package, string input, DriftOptions options, string? packagePath = null)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentException.ThrowIfNullOrEmpty(input);
        ArgumentNullException.ThrowIfNull(options);
        var card = package.Card;
        var columns = ReferenceColumns(package, packagePath);
        CheckInput(input);
        var format = options.Format == DriftInputFormat.Auto ? DetectFormat(input) : options.Format;

        LiveDataRead read;
        try
        {
            if (format == DriftInputFormat.Csv)
            {
                read = CsvLiveReader.Read(input, columns);
            }
            else
            {
                using var stream = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
                read = new RequestLogReader(columns, card.Name, card.Version, options.IncludeOtherVersions).Read(stream, options.BufferSize);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw MlOpsException.Of(DiagnosticCodes.DriftInputUnreadable, $"Cannot read the live data '{input}': {exception.Message}", new SourceLocation(input),
                "Check that the file is readable (the serving host keeps the log open for appending, which is fine).");
        }

        var diagnostics = new List<Diagnostic>();
        ReportReading(read, columns, input, card, format, diagnostics);

        var declared = options.Thresholds is { Count: > 0 } given ? given : card.DriftThresholds ?? [];
        foreach (var unknown in declared.Where(t => t.Column != DriftThreshold.EveryFeature && !columns.Names.Contains(t.Column)).Select(t => t.Column).Distinct())
        {
            diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.DriftThresholdUnknownColumn,
                $"The drift threshold for '{unknown}' names no feature of {card.Name} {card.Version}; it is not applied.", packagePath is null ? null : new SourceLocation(packagePath),
                $"Use one of the model's inputs ({string.Join(", ", columns.Names)}) or \"*\" in <DriftThreshold Include=\"…\" />."));
        }

        var features = new List<FeatureDrift>();
        features.AddRange(columns.Numeric.Select(c => Judge(c, read.RowsRead, DriftThresholds.For(c.Reference.Name, declared))));
        features.AddRange(columns.Categorical.Select(c => Judge(c, read.RowsRead, DriftThresholds.For(c.Reference.Name, declared))));
        // Report in the profile's column order, whatever the kind.
        var order = package.Profile.Columns.Select((c, i) => (c.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        features = features.OrderBy(f => order.GetValueOrDefault(f.Column, int.MaxValue)).ToList();

        // The predictions are judged like a feature, under the "*" bounds (they are no input a threshold could name),
        // over the rows whose outputs held them.
        var everyFeature = DriftThresholds.For(DriftThreshold.EveryFeature, declared);
        FeatureDrift? prediction = null;
        if (columns.NumericPrediction is { } numericPrediction && numericPrediction.Present + numericPrediction.Missing > 0)
            prediction = Judge(numericPrediction, numericPrediction.Present + numericPrediction.Missing, everyFeature);
        else if (columns.CategoricalPrediction is { } categoricalPrediction && categoricalPrediction.Present + categoricalPrediction.Missing > 0)
            prediction = Judge(categoricalPrediction, categoricalPrediction.Present + categoricalPrediction.Missing, everyFeature);
        var predictionNote = prediction is not null ? null
            : columns.PredictionReference is null ? "the package has no prediction reference (built before packages stored one)"
            : "no predictions in the input";

        var minimum = Math.Max(1, options.MinDriftedFeatures);
        // A drifted prediction counts toward the retraining bound like one more drifted feature: the model's outputs
        // moving is the change retraining is for, whichever inputs (measured or not) moved them.
        var drifted = features.Count(f => f.Drifted) + (prediction is { Drifted: true } ? 1 : 0);
        var retrain = drifted >= minimum;
        var window = read.First is { } first && read.Last is { } last ? new DriftWindow(first, last) : null;
        return new DriftReport(card.Name, card.Version, input, format, read.RowsRead, read.RowsSkipped, read.Skipped, read.LinesInvalid, read.LastLineTruncated,
            window, features, prediction, minimum, drifted > 0, retrain, Summarize(features, prediction, predictionNote, read.RowsRead, window, retrain), diagnostics)
        {
            PredictionNote = predictionNote,
        };
    }

    private static LiveColumns ReferenceColumns(ModelPackage package, string? packagePath)
    {
        var card = package.Card;
        var profile = package.Profile;
        var inputs = card.Signature.Inputs.Where(i => i.Kind is not null and not ColumnKind.Ignore).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        // Older cards may not carry input kinds: then every profiled column but the label is a feature.
        var features = profile.Columns.Where(c => c.Name != card.Signature.LabelColumn && c.Kind != ColumnKind.Ignore && (inputs.Count == 0 || inputs.Contains(c.Name))).ToList();
        var numeric = new List<NumericLiveColumn>();
        var categorical = new List<CategoricalLiveColumn>();
        foreach (var column in features)
        {
            if (column.Kind is ColumnKind.Numeric or ColumnKind.Boolean && column.Histogram is { Counts.Count: > 0 } histogram)
                numeric.Add(new NumericLiveColumn(column, histogram));
            else if (column.Kind == ColumnKind.Categorical && column.TopCategories is { } categories)
                categorical.Add(new CategoricalLiveColumn(column, categories));
        }
        if (numeric.Count + categorical.Count == 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.DriftProfileMissing,
                $"The package {card.Name} {card.Version} has no training-data profile of its features (data-profile.json {(profile.Columns.Count == 0 ? "is empty" : "has no histogram or categories for them")}), so there is nothing to compare live data with.",
                packagePath is null ? null : new SourceLocation(packagePath),
                "Build the package again with this version of MlOps.Ci ('dotnet build' of the ML project): packaging stores the profile of the training data.");
        }
        // The prediction reference (packages from before it was stored have none: no prediction drift, no error).
        NumericLiveColumn? numericPrediction = null;
        CategoricalLiveColumn? categoricalPrediction = null;
        if (profile.Predictions is { } predictions)
        {
            if (predictions.Kind is ColumnKind.Numeric or ColumnKind.Boolean && predictions.Histogram is { Counts.Count: > 0 } predictionHistogram)
                numericPrediction = new NumericLiveColumn(predictions, predictionHistogram);
            else if (predictions.Kind == ColumnKind.Categorical && predictions.TopCategories is { Count: > 0 } predictedClasses)
                categoricalPrediction = new CategoricalLiveColumn(predictions, predictedClasses);
        }
        return new LiveColumns(numeric, categorical, numericPrediction, categoricalPrediction);
    }

    private static void CheckInput(string input)
    {
        if (!File.Exists(input))
        {
            throw MlOpsException.Of(DiagnosticCodes.DriftInputNotFound, $"The live data '{input}' does not exist.", new SourceLocation(input),
                "Give the serving host's request log (its --request-log path) or a CSV of recent inputs.");
        }
        if (new FileInfo(input).Length == 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.DriftInputEmpty, $"The live data '{Path.GetFileName(input)}' is empty.", new SourceLocation(input, 1, 1),
                "No request has been logged yet: check that the host runs with a request log and a sample rate above 0, and run the check after traffic has arrived.");
        }
    }

    private static DriftInputFormat DetectFormat(string input)
    {
        var extension = Path.GetExtension(input).ToLowerInvariant();
        if (extension is ".csv" or ".tsv" or ".txt")
            return DriftInputFormat.Csv;
        if (extension is ".jsonl" or ".ndjson" or ".json" or ".log")
            return DriftInputFormat.JsonLines;
        using var stream = File.OpenRead(input);
        int next;
        while ((next = stream.ReadByte()) is ' ' or '\t' or '\r' or '\n' or 0xEF or 0xBB or 0xBF)
        {
        }
        return next == '{' ? DriftInputFormat.JsonLines : DriftInputFormat.Csv;
    }

    private static void ReportReading(LiveDataRead read, LiveColumns columns, string input, ModelCard card, DriftInputFormat format, List<Diagnostic> diagnostics)
    {
        if (read.LinesInvalid > 0)
        {
            diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.DriftLineInvalid,
                $"{read.LinesInvalid:N0} line{(read.LinesInvalid > 1 ? "s" : "")} of the request log {(read.LinesInvalid > 1 ? "are" : "is")} not a readable log entry and {(read.LinesInvalid > 1 ? "were" : "was")} left out; the first: {read.FirstInvalidReason}",
                new SourceLocation(input, (int)Math.Min(read.FirstInvalidLine, int.MaxValue)),
                "Each line must be one JSON object as the serving host writes it; look for lines written by something else or cut by a full disk."));
        }
        if (read.LastLineTruncated)
        {
            diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.DriftLastLineIncomplete,
                "The request log's last line is incomplete (the host was still writing it, or the copy was cut) and was left out; everything before it was read.",
                new SourceLocation(input, (int)Math.Min(read.TruncatedLine, int.MaxValue)), "Nothing to do for a log still being written; otherwise copy the log again."));
        }
        if (read.RowsSkipped > 0)
        {
            diagnostics.Add(Diagnostic.Warning(DiagnosticCodes.DriftOtherVersionsSkipped,
                $"{read.RowsSkipped:N0} logged row{(read.RowsSkipped > 1 ? "s" : "")} of other models or versions ({string.Join(", ", read.Skipped.Select(s => $"{Describe(s.Model, s.Version)}: {s.Rows:N0}"))}) were counted but left out of the statistics of {card.Name} {card.Version}.",
                new SourceLocation(input), "Normal after a rollout; check another version's drift with its own package, or pass --all-versions when the model did not change."));
        }
        if (read.RowsRead == 0)
        {
            if (read.RowsSkipped > 0)
            {
                throw new MlOpsException(Diagnostic.Error(DiagnosticCodes.DriftNoRowsForModel,
                    $"The request log has no row of {card.Name} {card.Version}: its {read.RowsSkipped:N0} row{(read.RowsSkipped > 1 ? "s are" : " is")} of {string.Join(", ", read.Skipped.Select(s => Describe(s.Model, s.Version)))}.",
                    new SourceLocation(input), "Check the drift against the package that is being served (e.g. 'mlops pull churn:production'), or pass --all-versions when the model did not change."));
            }
            var message = format == DriftInputFormat.Csv
                ? $"The live data '{Path.GetFileName(input)}' has a header but no rows."
                : read.LinesInvalid > 0 || read.LastLineTruncated
                    ? $"The request log '{Path.GetFileName(input)}' has no readable entry ({read.LinesInvalid + (read.LastLineTruncated ? 1 : 0):N0} unreadable line(s))."
                    : $"The request log '{Path.GetFileName(input)}' has no entries.";
            throw new MlOpsException([Diagnostic.Error(DiagnosticCodes.DriftInputEmpty, message, new SourceLocation(input, 1, 1),
                "Run the check after traffic has been logged; a request log holds one JSON object per line as the serving host writes it."), .. diagnostics]);
        }
        var absent = read.ColumnSeen.Select((seen, slot) => (seen, slot)).Where(p => !p.seen).ToList();
        if (absent.Count > 0)
        {
            var names = absent.Select(p => columns.Names[p.slot]).ToList();
            throw MlOpsException.Of(DiagnosticCodes.DriftColumnsMissing,
                $"No logged row of {card.Name} {card.Version} has the input{(names.Count > 1 ? "s" : "")} {string.Join(", ", names.Select(n => $"'{n}'"))}, so {(names.Count > 1 ? "their" : "its")} drift cannot be measured.",
                new SourceLocation(input, (int)Math.Min(read.FirstRowLine, int.MaxValue)),
                "The log was written for a model with other inputs: check it against the package that was served.");
        }
    }

    private static string Describe(string model, string version) => (model, version) switch
    {
        ("", "") => "entries without model and version",
        (_, "") => model,
        ("", _) => $"version {version}",
        _ => $"{model} {version}",
    };

    private static FeatureDrift Judge(NumericLiveColumn column, long rows, EffectiveDriftThreshold thresholds)
    {
        var reference = column.Reference;
        var histogram = column.ReferenceHistogram;
        var trainingCounts = histogram.Counts.Select(c => (double)c).ToArray();
        var liveCounts = column.Counts.Select(c => (double)c).ToArray();
        // Like DistributionShift.Rebin: the end bins reach to infinity, so values beyond the training range count.
        liveCounts[0] += column.Below;
        liveCounts[^1] += column.Above;
        var trainingPresent = trainingCounts.Sum();
        var trainingShares = DistributionShift.Shares(trainingCounts);
        var liveShares = DistributionShift.Shares(liveCounts);
        var live = column.Present;
        var psi = live > 0 ? DistributionShift.Psi(trainingShares, liveShares) : 0;
        double? ks = live > 0 ? KolmogorovSmirnov(histogram.Counts, column) : null;
        var missing = new Comparison(Rate(reference.Missing, reference.Count), Rate(column.Missing, rows));
        double? outOfRange = live > 0 ? (double)(column.Below + column.Above) / live : null;
        Comparison? mean = reference.Mean is { } trainingMean && live > 0 ? new Comparison(trainingMean, column.Sum / live) : null;

        var reasons = new List<string>();
        var usedBins = trainingCounts.Zip(liveCounts).Count(p => p.First + p.Second > 0);
        if (live > 0)
        {
            CheckAbove(reasons, "PSI", psi, thresholds.Psi, DriftStatistics.PsiNoiseLevel((long)trainingPresent, live, usedBins), live);
            CheckAbove(reasons, "KS", ks!.Value, thresholds.KsStatistic, DriftStatistics.KsNoiseLevel((long)trainingPresent, live), live);
            if (outOfRange > thresholds.OutOfRangeShare)
            {
                reasons.Add($"{Percent(outOfRange.Value)} of values outside the training range [{Number(histogram.Edges[0])}, {Number(histogram.Edges[^1])}] " +
                            $"(> {Percent(thresholds.OutOfRangeShare)})");
            }
        }
        CheckMissing(reasons, missing, thresholds);
        var labels = Enumerable.Range(0, trainingCounts.Length).Select(i => $"{Number(histogram.Edges[i])}–{Number(histogram.Edges[i + 1])}").ToList();
        return new FeatureDrift(reference.Name, reference.Kind, rows, psi, ks, null, null, missing, mean, outOfRange, null, null, thresholds,
            reasons.Count > 0, reasons, new DriftBins(labels, trainingShares, liveShares));
    }

    private static FeatureDrift Judge(CategoricalLiveColumn column, long rows, EffectiveDriftThreshold thresholds)
    {
        var reference = column.Reference;
        var trainingCounts = DistributionShift.WithOtherBin(column.Categories.Select(c => (double)c.Count), reference.Count, reference.Missing);
        var liveCounts = column.Counts.Select(c => (double)c).ToArray();
        var trainingShares = DistributionShift.Shares(trainingCounts);
        var liveShares = DistributionShift.Shares(liveCounts);
        var live = column.Present;
        var psi = live > 0 ? DistributionShift.Psi(trainingShares, liveShares) : 0;
        var (chiSquare, degrees, pValue) = DriftStatistics.ChiSquareHomogeneity(trainingCounts, liveCounts);
        var missing = new Comparison(Rate(reference.Missing, reference.Count), Rate(column.Missing, rows));
        double? unseen = column.Complete && live > 0 ? (double)column.Counts[column.OtherIndex] / live : null;

        var reasons = new List<string>();
        var usedBins = trainingCounts.Zip(liveCounts).Count(p => p.First + p.Second > 0);
        if (live > 0)
        {
            CheckAbove(reasons, "PSI", psi, thresholds.Psi, DriftStatistics.PsiNoiseLevel((long)trainingCounts.Sum(), live, usedBins), live);
            if (thresholds.ChiSquarePValue is { } significance && degrees > 0 && pValue < significance)
                reasons.Add($"chi-square {Number(chiSquare)} ({degrees} df), p = {pValue.ToString("G3", CultureInfo.InvariantCulture)} < {Number(significance)}");
            if (unseen > thresholds.OutOfRangeShare)
            {
                var examples = column.UnseenExamples.Count > 0 ? $": {string.Join(", ", column.UnseenExamples.Select(e => $"\"{e}\""))}" : "";
                reasons.Add($"{Percent(unseen.Value)} of values are categories training never saw{examples} (> {Percent(thresholds.OutOfRangeShare)})");
            }
        }
        CheckMissing(reasons, missing, thresholds);
        var labels = column.Categories.Select(c => c.Value).Append("(other)").ToList();
        return new FeatureDrift(reference.Name, reference.Kind, rows, psi, null, live > 0 ? chiSquare : null, live > 0 ? pValue : null, missing, null, null, unseen,
            column.Complete ? column.UnseenExamples.ToList() : null, thresholds, reasons.Count > 0, reasons, new DriftBins(labels, trainingShares, liveShares));
    }

    /// <summary>
    /// The KS distance between the training and live distributions, evaluated where both are known exactly: at every
    /// edge of the training histogram (the share of values below it) and at the training maximum (the share at or
    /// below it). The exact two-sample statistic is the largest gap over all values; this one is the largest over
    /// these 21 points, so it never exceeds the exact one and can miss a gap narrower than a bin (a twentieth of the
    /// training range). In exchange it needs no live values kept, only the bin counts.
    /// </summary>
    internal static double KolmogorovSmirnov(IReadOnlyList<long> trainingCounts, NumericLiveColumn live)
    {
        double trainingTotal = trainingCounts.Sum(), liveTotal = live.Present;
        if (trainingTotal <= 0 || liveTotal <= 0)
            return 0;
        double trainingBelow = 0, liveBelow = live.Below, distance = liveBelow / liveTotal;
        for (var i = 0; i < trainingCounts.Count; i++)
        {
            trainingBelow += trainingCounts[i];
            liveBelow += live.Counts[i];
            if (i < trainingCounts.Count - 1)
                distance = Math.Max(distance, Math.Abs(trainingBelow / trainingTotal - liveBelow / liveTotal));
        }
        // At the maximum: training has everything at or below it, live all but what lies above.
        return Math.Max(distance, (double)live.Above / liveTotal);
    }

    private static void CheckAbove(List<string> reasons, string statistic, double value, double threshold, double noiseLevel, long rows)
    {
        var limit = Math.Max(threshold, noiseLevel);
        if (value <= limit)
            return;
        reasons.Add(limit > threshold
            ? $"{statistic} {Number(value)} > {Number(limit)} (the threshold {Number(threshold)}, raised for {rows:N0} rows to what noise alone reaches once in 1,000)"
            : $"{statistic} {Number(value)} > {Number(threshold)}");
    }

    private static void CheckMissing(List<string> reasons, Comparison missing, EffectiveDriftThreshold thresholds)
    {
        if (missing.Live - missing.Training > thresholds.MissingRateIncrease)
            reasons.Add($"missing values {Percent(missing.Live)} against {Percent(missing.Training)} in training (+{Percent(missing.Live - missing.Training)} > {Percent(thresholds.MissingRateIncrease)})");
    }

    private static string Summarize(IReadOnlyList<FeatureDrift> features, FeatureDrift? prediction, string? predictionNote, long rows, DriftWindow? window, bool retrain)
    {
        var drifted = features.Where(f => f.Drifted).Select(f => f.Column).ToList();
        var over = $"{rows:N0} row{(rows == 1 ? "" : "s")}" + (window is null ? "" : $" ({window.First:u} – {window.Last:u})");
        var predictions = prediction is null ? $"; predictions: {predictionNote}"
            : prediction.Drifted ? $"; the predictions ({prediction.Column}) drifted" : "; the predictions did not drift";
        if (drifted.Count == 0 && prediction is not { Drifted: true })
            return $"No drift in {features.Count} features over {over}{predictions}.";
        return $"{drifted.Count} of {features.Count} features drifted{(drifted.Count > 0 ? $" ({string.Join(", ", drifted)})" : "")} over {over}{predictions}" +
               (retrain ? ": retraining advised." : ": below the retraining bound.");
    }

    private static double Rate(long part, long whole) => whole > 0 ? (double)part / whole : 0;

    internal static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
