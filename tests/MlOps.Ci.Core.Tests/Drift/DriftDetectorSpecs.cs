using System.Text;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.Drift;

namespace MlOps.Ci.Core.Tests.Drift;

public sealed class DriftDetectorSpecs
{
    private static readonly List<DriftRow> TrainingRows = DriftFixture.Sample(5000, seed: 1);

    [Fact]
    public void Live_traffic_from_the_training_distribution_does_not_alarm()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var log = fixture.WriteLog("requests.jsonl", DriftFixture.Sample(20_000, seed: 2));

        var report = fixture.Analyze(log);

        report.RowsRead.ShouldBe(20_000);
        report.Features.Select(f => f.Column).ShouldBe(["Tenure", "Contract", "Senior"]);
        report.Features.Where(f => f.Drifted).ShouldBeEmpty();
        report.Drifted.ShouldBeFalse();
        report.Retrain.ShouldBeFalse();
        report.Features.ShouldAllBe(f => f.Psi < 0.02);
        report.Window.ShouldNotBeNull().First.ShouldBe(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
        report.Window.Last.ShouldBe(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero).AddSeconds(19_999));
    }

    [Fact]
    public void A_shifted_mean_alarms_on_that_feature_only_and_advises_retraining()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var log = fixture.WriteLog("requests.jsonl", DriftFixture.Sample(20_000, seed: 3, tenureMean: 42));

        var report = fixture.Analyze(log);

        var tenure = report.Features.Single(f => f.Column == "Tenure");
        tenure.Drifted.ShouldBeTrue();
        tenure.Psi.ShouldBeGreaterThan(0.2);
        tenure.Ks.ShouldNotBeNull().ShouldBeGreaterThan(0.3);
        tenure.Reasons.ShouldContain(r => r.StartsWith("PSI "));
        tenure.Mean.ShouldNotBeNull().Live.ShouldBeGreaterThan(tenure.Mean.Training + 10);
        report.Features.Where(f => f.Column != "Tenure").ShouldAllBe(f => !f.Drifted);
        report.Drifted.ShouldBeTrue();
        report.Retrain.ShouldBeTrue();
        report.Summary.ShouldContain("Tenure");
    }

    [Fact]
    public void Psi_of_a_numeric_feature_matches_a_direct_computation_from_the_raw_values()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var live = DriftFixture.Sample(3000, seed: 4, tenureMean: 36);
        var log = fixture.WriteLog("requests.jsonl", live);

        var report = fixture.Analyze(log);

        var expected = ReferencePsi(Present(TrainingRows), Present(live));
        report.Features.Single(f => f.Column == "Tenure").Psi.ShouldBe(expected, 1e-9);
    }

    [Fact]
    public void Ks_is_the_exact_two_sample_distance_evaluated_at_the_bin_edges_and_never_above_the_exact_one()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var live = DriftFixture.Sample(3000, seed: 5, tenureMean: 34);
        var log = fixture.WriteLog("requests.jsonl", live);

        var ks = fixture.Analyze(log).Features.Single(f => f.Column == "Tenure").Ks!.Value;

        double[] training = Present(TrainingRows), current = Present(live);
        var edges = Edges(training);
        var atEdges = edges.Take(edges.Length - 1).Select(e => Math.Abs(ShareBelow(training, e) - ShareBelow(current, e)))
            .Append(Math.Abs(1 - ShareAtOrBelow(current, edges[^1]))).Max();
        ks.ShouldBe(atEdges, 1e-12);
        var exact = ExactKs(training, current);
        ks.ShouldBeLessThanOrEqualTo(exact + 1e-12);
        ks.ShouldBeGreaterThan(exact - 0.05, "20 bins over the training range resolve the largest gap to within a bin's mass");
    }

    [Fact]
    public void Ks_and_psi_of_binned_values_match_the_hand_computation()
    {
        // Training 10/20/30/40 in four unit bins; live 40/30/20/10 at the bin centres. Cumulative shares at the inner
        // edges 1, 2, 3: training 0.1, 0.3, 0.6; live 0.4, 0.7, 0.9: KS = 0.4.
        // PSI = (0.4−0.1)ln4 + (0.3−0.2)ln1.5 + (0.2−0.3)ln(2/3) + (0.1−0.4)ln(1/4) = 0.6·ln4 + 0.2·ln1.5 = 0.912865.
        var reference = new ColumnProfile("x", ColumnKind.Numeric, 100, 0) { Histogram = new Histogram([0, 1, 2, 3, 4], [10, 20, 30, 40]) };
        var live = new NumericLiveColumn(reference, reference.Histogram);
        foreach (var (value, count) in new[] { (0.5f, 40), (1.5f, 30), (2.5f, 20), (3.5f, 10) })
        {
            for (var i = 0; i < count; i++)
                live.Add(value);
        }

        DriftDetector.KolmogorovSmirnov(reference.Histogram.Counts, live).ShouldBe(0.4, 1e-12);
        DistributionShift.Psi([0.1, 0.2, 0.3, 0.4], live.Counts.Select(c => c / 100.0).ToList()).ShouldBe(0.6 * Math.Log(4) + 0.2 * Math.Log(1.5), 1e-12);
    }

    [Fact]
    public void Psi_and_chi_square_of_a_categorical_feature_match_the_hand_computation()
    {
        // Training Month-to-month 50%, One year 30%, Two year 20%; live 30/30/40.
        // PSI = (0.3−0.5)ln(0.3/0.5) + 0 + (0.4−0.2)ln(0.4/0.2) = 0.240795.
        var training = Enumerable.Repeat("Month-to-month", 500).Concat(Enumerable.Repeat("One year", 300)).Concat(Enumerable.Repeat("Two year", 200))
            .Select(c => new DriftRow(10, c, false)).ToList();
        var live = Enumerable.Repeat("Month-to-month", 300).Concat(Enumerable.Repeat("One year", 300)).Concat(Enumerable.Repeat("Two year", 400))
            .Select(c => new DriftRow(10, c, false)).ToList();
        using var fixture = new DriftFixture(training);

        var contract = fixture.Analyze(fixture.WriteLog("requests.jsonl", live)).Features.Single(f => f.Column == "Contract");

        contract.Psi.ShouldBe(0.2 * Math.Log(0.5 / 0.3) + 0.2 * Math.Log(2), 1e-9);
        // Columns 800/600/600 of 2000: expected 400/300/300 per sample; χ² = 2·(100²/400 + 0 + 100²/300) = 116.667.
        contract.ChiSquare.ShouldNotBeNull().ShouldBe(116.6667, 1e-3);
        contract.PValue.ShouldNotBeNull().ShouldBeLessThan(1e-20);
        contract.Drifted.ShouldBeTrue();
        contract.Bins.Labels.ShouldBe(["Month-to-month", "One year", "Two year", "(other)"]);
    }

    [Fact]
    public void Categories_training_never_saw_are_named_and_counted()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var live = DriftFixture.Sample(2000, seed: 6).Select((r, i) => i % 5 == 0 ? r with { Contract = "Three year" } : r).ToList();

        var contract = fixture.Analyze(fixture.WriteLog("requests.jsonl", live)).Features.Single(f => f.Column == "Contract");

        contract.UnseenCategoryShare.ShouldNotBeNull().ShouldBe(0.2, 1e-9);
        contract.UnseenCategories.ShouldBe(["Three year"]);
        contract.Reasons.ShouldContain(r => r.Contains("\"Three year\""));
        contract.Drifted.ShouldBeTrue();
    }

    [Fact]
    public void A_rise_in_missing_values_is_drift()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var log = fixture.WriteLog("requests.jsonl", DriftFixture.Sample(4000, seed: 7, missingTenure: 0.3));

        var tenure = fixture.Analyze(log).Features.Single(f => f.Column == "Tenure");

        tenure.MissingRate.Training.ShouldBe(0.02, 0.01);
        tenure.MissingRate.Live.ShouldBe(0.3, 0.03);
        tenure.Reasons.ShouldContain(r => r.StartsWith("missing values"));
    }

    [Fact]
    public void A_short_log_of_unchanged_traffic_does_not_alarm_because_thresholds_rise_to_the_noise_level()
    {
        using var fixture = new DriftFixture(TrainingRows);

        var report = fixture.Analyze(fixture.WriteLog("requests.jsonl", DriftFixture.Sample(60, seed: 8)));

        report.Drifted.ShouldBeFalse();
    }

    [Fact]
    public void A_truncated_last_line_is_left_out_and_everything_before_it_is_read()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var rows = DriftFixture.Sample(3, seed: 9);
        var path = fixture.Folder.PathOf("requests.jsonl");
        var lines = rows.Select((r, i) => DriftFixture.LogLine(r, i)).ToList();
        File.WriteAllText(path, string.Join("\n", lines.Take(2)) + "\n" + lines[2][..(lines[2].Length / 2)]);

        var report = fixture.Analyze(path);

        report.RowsRead.ShouldBe(2);
        report.LastLineTruncated.ShouldBeTrue();
        var diagnostic = report.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Code.ShouldBe(DiagnosticCodes.DriftLastLineIncomplete);
        diagnostic.Location.ShouldBe(new SourceLocation(path, 3));
    }

    [Fact]
    public void A_complete_last_line_without_its_newline_is_read()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var path = fixture.Folder.PathOf("requests.jsonl");
        File.WriteAllText(path, string.Join("\n", DriftFixture.Sample(3, seed: 9).Select((r, i) => DriftFixture.LogLine(r, i))));

        var report = fixture.Analyze(path);

        report.RowsRead.ShouldBe(3);
        report.LastLineTruncated.ShouldBeFalse();
    }

    [Fact]
    public void Lines_of_other_versions_are_counted_and_kept_out_of_the_statistics()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var ours = DriftFixture.Sample(2000, seed: 10);
        var others = DriftFixture.Sample(700, seed: 11, tenureMean: 60);
        var mixed = fixture.Folder.PathOf("mixed.jsonl");
        File.WriteAllLines(mixed, ours.Select((r, i) => DriftFixture.LogLine(r, i))
            .Concat(others.Select((r, i) => DriftFixture.LogLine(r, i, version: i % 2 == 0 ? "1.1.0" : "1.3.0"))));
        var alone = fixture.WriteLog("alone.jsonl", ours);

        var report = fixture.Analyze(mixed);

        report.RowsRead.ShouldBe(2000);
        report.RowsSkipped.ShouldBe(700);
        report.SkippedVersions.ShouldBe([new SkippedVersion("churn", "1.1.0", 350), new SkippedVersion("churn", "1.3.0", 350)]);
        report.Diagnostics.ShouldContain(d => d.Code == DiagnosticCodes.DriftOtherVersionsSkipped);
        report.Features.Select(f => f.Psi).ShouldBe(fixture.Analyze(alone).Features.Select(f => f.Psi));
        report.Drifted.ShouldBeFalse();
    }

    [Fact]
    public void A_log_with_no_line_of_the_packages_version_is_an_error_naming_the_versions_found()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var log = fixture.WriteLog("requests.jsonl", DriftFixture.Sample(10, seed: 12), version: "0.9.0");

        var error = Should.Throw<MlOpsException>(() => fixture.Analyze(log)).Diagnostics[0];

        error.Code.ShouldBe(DiagnosticCodes.DriftNoRowsForModel);
        error.Message.ShouldContain("churn 0.9.0");
        fixture.Analyze(log, new DriftOptions { IncludeOtherVersions = true }).RowsRead.ShouldBe(10);
    }

    [Fact]
    public void An_empty_log_is_an_error()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var path = fixture.Folder.PathOf("requests.jsonl");
        File.WriteAllText(path, "");

        Should.Throw<MlOpsException>(() => fixture.Analyze(path)).Diagnostics[0].Code.ShouldBe(DiagnosticCodes.DriftInputEmpty);
    }

    [Fact]
    public void A_missing_input_is_an_error()
    {
        using var fixture = new DriftFixture(TrainingRows);

        Should.Throw<MlOpsException>(() => fixture.Analyze(fixture.Folder.PathOf("nowhere.jsonl"))).Diagnostics[0].Code.ShouldBe(DiagnosticCodes.DriftInputNotFound);
    }

    [Fact]
    public void Unreadable_lines_in_the_middle_are_left_out_and_the_first_is_named_with_its_line()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var lines = DriftFixture.Sample(4, seed: 13).Select((r, i) => DriftFixture.LogLine(r, i)).ToList();
        lines.Insert(2, "{\"timestamp\": oops}");
        lines.Insert(4, "not json at all");
        var path = fixture.Folder.PathOf("requests.jsonl");
        File.WriteAllLines(path, lines);

        var report = fixture.Analyze(path);

        report.RowsRead.ShouldBe(4);
        report.LinesInvalid.ShouldBe(2);
        var diagnostic = report.Diagnostics.Single(d => d.Code == DiagnosticCodes.DriftLineInvalid);
        diagnostic.Location.ShouldBe(new SourceLocation(path, 3));
    }

    [Fact]
    public void A_feature_absent_from_every_logged_row_is_an_error_naming_it()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var path = fixture.Folder.PathOf("requests.jsonl");
        File.WriteAllLines(path, DriftFixture.Sample(5, seed: 14).Select((r, i) => DriftFixture.LogLine(r, i).Replace("\"Senior\"", "\"IsSenior\"")));

        var error = Should.Throw<MlOpsException>(() => fixture.Analyze(path)).Diagnostics[0];

        error.Code.ShouldBe(DiagnosticCodes.DriftColumnsMissing);
        error.Message.ShouldContain("'Senior'");
        error.Location.ShouldBe(new SourceLocation(path, 1));
    }

    [Fact]
    public void A_csv_without_a_feature_column_is_an_error_on_its_header()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var path = fixture.Folder.PathOf("live.csv");
        File.WriteAllText(path, "Tenure,Senior\n3,No\n");

        var error = Should.Throw<MlOpsException>(() => fixture.Analyze(path)).Diagnostics[0];

        error.Code.ShouldBe(DiagnosticCodes.DriftColumnsMissing);
        error.Message.ShouldContain("'Contract'");
        error.Location.ShouldBe(new SourceLocation(path, 1, 1));
    }

    [Fact]
    public void A_csv_and_the_request_log_of_the_same_rows_give_the_same_report()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var rows = DriftFixture.Sample(3000, seed: 15, tenureMean: 38, monthToMonthShare: 0.3);

        var fromLog = fixture.Analyze(fixture.WriteLog("requests.jsonl", rows));
        var fromCsv = fixture.Analyze(fixture.WriteCsv("live.csv", rows));

        fromCsv.Format.ShouldBe(DriftInputFormat.Csv);
        fromLog.Format.ShouldBe(DriftInputFormat.JsonLines);
        fromCsv.RowsRead.ShouldBe(3000);
        fromCsv.Features.Select(f => (f.Column, f.Psi, f.Ks, f.PValue, f.MissingRate, f.Drifted))
            .ShouldBe(fromLog.Features.Select(f => (f.Column, f.Psi, f.Ks, f.PValue, f.MissingRate, f.Drifted)));
    }

    [Fact]
    public void A_package_without_a_profile_of_its_features_is_an_error()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var bare = fixture.Package with { Profile = new DataProfile(0, []) };
        var log = fixture.WriteLog("requests.jsonl", DriftFixture.Sample(5, seed: 16));

        var error = Should.Throw<MlOpsException>(() => DriftDetector.Analyze(bare, log, DriftOptions.Default, fixture.PackagePath)).Diagnostics[0];

        error.Code.ShouldBe(DiagnosticCodes.DriftProfileMissing);
        error.Location.ShouldBe(new SourceLocation(fixture.PackagePath));
    }

    [Fact]
    public void A_feature_threshold_overrides_the_star_threshold_check_by_check()
    {
        DriftThreshold[] declared = [new("*", Psi: 0.3, OutOfRangeShare: 0.2), new("Tenure", Psi: 0.1)];

        DriftThresholds.For("Tenure", declared).ShouldBe(new EffectiveDriftThreshold(0.1, 0.1, null, 0.1, 0.2));
        DriftThresholds.For("Contract", declared).ShouldBe(new EffectiveDriftThreshold(0.3, 0.1, null, 0.1, 0.2));
        DriftThresholds.For("Contract", []).ShouldBe(DriftThresholds.Defaults);
    }

    [Fact]
    public void The_cards_thresholds_decide_and_a_threshold_for_an_unknown_column_is_a_warning()
    {
        var rows = DriftFixture.Sample(4000, seed: 17, tenureMean: 32);
        using var lenient = new DriftFixture(TrainingRows);
        using var strict = new DriftFixture(TrainingRows, [new DriftThreshold("Tenure", Psi: 0.01, KsStatistic: 0.05), new DriftThreshold("Age", Psi: 0.1)]);

        var lenientReport = lenient.Analyze(lenient.WriteLog("requests.jsonl", rows));
        var strictReport = strict.Analyze(strict.WriteLog("requests.jsonl", rows));

        lenientReport.Features.Single(f => f.Column == "Tenure").Drifted.ShouldBeFalse();
        strictReport.Features.Single(f => f.Column == "Tenure").Drifted.ShouldBeTrue();
        strictReport.Diagnostics.ShouldContain(d => d.Code == DiagnosticCodes.DriftThresholdUnknownColumn && d.Message.Contains("'Age'"));
    }

    [Fact]
    public void Retraining_waits_for_the_declared_number_of_drifted_features()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var log = fixture.WriteLog("requests.jsonl", DriftFixture.Sample(4000, seed: 18, tenureMean: 45));

        var report = fixture.Analyze(log, new DriftOptions { MinDriftedFeatures = 2 });

        report.Drifted.ShouldBeTrue();
        report.Retrain.ShouldBeFalse();
    }

    [Fact]
    public void Escaped_strings_long_lines_and_crlf_endings_are_read_like_plain_ones()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var rows = DriftFixture.Sample(50, seed: 19);
        var plain = fixture.WriteLog("plain.jsonl", rows);
        var padding = new string('x', 10_000);
        var escaped = fixture.Folder.PathOf("escaped.jsonl");
        File.WriteAllText(escaped, string.Concat(rows.Select((r, i) => DriftFixture.LogLine(r, i)
            .Replace("Month-to-month", "Month\\u002Dto-month", StringComparison.Ordinal)
            .Replace("\"row\":0", $"\"row\":0,\"note\":\"{padding}\"", StringComparison.Ordinal) + "\r\n")));

        var expected = fixture.Analyze(plain);
        var actual = fixture.Analyze(escaped, new DriftOptions { BufferSize = 4096 });

        actual.RowsRead.ShouldBe(50);
        actual.LinesInvalid.ShouldBe(0);
        actual.Features.Select(f => f.Psi).ShouldBe(expected.Features.Select(f => f.Psi));
    }

    [Fact]
    public void The_markdown_names_the_verdict_and_each_drifted_feature_with_its_reason()
    {
        using var fixture = new DriftFixture(TrainingRows);
        var report = fixture.Analyze(fixture.WriteLog("requests.jsonl", DriftFixture.Sample(5000, seed: 20, tenureMean: 44)));

        var markdown = DriftMarkdown.Render(report);

        markdown.ShouldContain("retraining advised");
        markdown.ShouldContain("| Tenure | numeric |");
        markdown.ShouldContain("**yes**: PSI ");
    }

    private static double[] Present(IEnumerable<DriftRow> rows) => rows.Where(r => r.Tenure is not null).Select(r => (double)r.Tenure!.Value).ToArray();

    /// <summary>Equal-width edges over the training range, 20 bins, as a profile of these values has.</summary>
    private static double[] Edges(double[] training)
    {
        double min = training.Min(), max = training.Max(), width = (max - min) / 20;
        return Enumerable.Range(0, 21).Select(i => i == 20 ? max : min + i * width).ToArray();
    }

    /// <summary>PSI straight from the raw values: bin both samples on the training edges (out-of-range values in the end bins), shares floored at 1e-4.</summary>
    private static double ReferencePsi(double[] training, double[] live)
    {
        var edges = Edges(training);
        double[] Shares(double[] values)
        {
            var counts = new double[20];
            foreach (var v in values)
            {
                var bin = 0;
                while (bin < 19 && v >= edges[bin + 1])
                    bin++;
                counts[bin]++;
            }
            return counts.Select(c => c / values.Length).ToArray();
        }
        var (p, q) = (Shares(training), Shares(live));
        var psi = 0.0;
        for (var i = 0; i < 20; i++)
        {
            double a = Math.Max(p[i], 1e-4), b = Math.Max(q[i], 1e-4);
            psi += (b - a) * Math.Log(b / a);
        }
        return psi;
    }

    private static double ShareBelow(double[] values, double x) => values.Count(v => v < x) / (double)values.Length;

    private static double ShareAtOrBelow(double[] values, double x) => values.Count(v => v <= x) / (double)values.Length;

    /// <summary>sup over x of |F(x) − G(x)|, checked at every observed value (where the empirical CDFs step).</summary>
    private static double ExactKs(double[] a, double[] b) =>
        a.Concat(b).Distinct().Max(x => Math.Abs(ShareAtOrBelow(a, x) - ShareAtOrBelow(b, x)));
}
