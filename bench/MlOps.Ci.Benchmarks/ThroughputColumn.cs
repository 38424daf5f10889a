using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace MlOps.Ci.Benchmarks;

/// <summary>
/// Throughput from the median time per operation: rows/s for <see cref="ValidationThroughput"/> (one operation is one
/// row), GB/s for <see cref="HashingThroughput"/> (one operation is the 1 GiB file).
/// </summary>
public sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);
    public string ColumnName => "Throughput";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Rows per second (validation) or 10^9 bytes per second (hashing), from the median";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        summary[benchmarkCase]?.ResultStatistics is { } statistics ? Format(benchmarkCase, statistics.Median) : "NA";

    public static string Format(BenchmarkCase benchmarkCase, double medianNanosecondsPerOperation)
    {
        var perSecond = 1e9 / medianNanosecondsPerOperation;
        return benchmarkCase.Descriptor.Type == typeof(HashingThroughput)
            ? (perSecond * BenchData.HashFileBytes / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB/s"
            : perSecond.ToString("#,0", CultureInfo.InvariantCulture) + " rows/s";
    }
}
