using System.Text;
using MlOps.Ci.Data;

namespace MlOps.Ci.Drift;

/// <summary>
/// Live values of one numeric (or boolean) feature, counted into the training histogram's bins: memory is the bin
/// count, whatever the log's length. Values below the training minimum or above its maximum are counted apart, so the
/// out-of-range share and the KS distance at the range's ends are exact.
/// </summary>
internal sealed class NumericLiveColumn
{
    private readonly double[] _edges;
    private readonly double _minimum;
    private readonly double _maximum;
    private readonly double _width;

    public NumericLiveColumn(ColumnProfile reference, Histogram histogram)
    {
        Reference = reference;
        ReferenceHistogram = histogram;
        _edges = histogram.Edges.ToArray();
        _minimum = _edges[0];
        _maximum = _edges[^1];
        Counts = new long[histogram.Counts.Count];
        _width = Counts.Length > 0 ? (_maximum - _minimum) / Counts.Length : 0;
    }

    public ColumnProfile Reference { get; }
    public Histogram ReferenceHistogram { get; }
    public long[] Counts { get; }
    public long Below { get; private set; }
    public long Above { get; private set; }
    public long Missing { get; private set; }
    public long Present { get; private set; }
    public double Sum { get; private set; }

    /// <summary>Counts one value; NaN is a missing value.</summary>
    public void Add(float value)
    {
        if (float.IsNaN(value))
        {
            Missing++;
            return;
        }
        // Bins exactly as DataProfiler filled them (from the float widened to double), so an unchanged value lands
        // in the bin training counted it in.
        double number = value;
        Present++;
        Sum += number;
        if (number < _minimum)
            Below++;
        else if (number > _maximum)
            Above++;
        else
            Counts[Bin(number)]++;
    }

    private int Bin(double number)
    {
        var last = Counts.Length - 1;
        var bin = _width > 0 ? Math.Min((int)((number - _minimum) / _width), last) : 0;
        // The profiler's edges are min + i·width; a value a rounding error away from an edge is placed by the edges
        // themselves, which also covers a histogram whose bins are not of equal width.
        while (bin > 0 && number < _edges[bin])
            bin--;
        while (bin < last && number >= _edges[bin + 1])
            bin++;
        return bin;
    }
}

/// <summary>
/// Live values of one categorical feature, counted per training top category plus "other". The categories are kept as
/// UTF-8 so a log value is matched without making a string; a few unseen values are kept as examples for the report.
/// </summary>
internal sealed class CategoricalLiveColumn
{
    public const int MaxUnseenExamples = 5;
    private readonly byte[][] _utf8;
    private readonly List<string> _unseenExamples = [];
    private readonly List<byte[]> _unseenUtf8 = [];

    public CategoricalLiveColumn(ColumnProfile reference, IReadOnlyList<CategoryCount> categories)
    {
        Reference = reference;
        Categories = categories;
        _utf8 = categories.Select(c => Encoding.UTF8.GetBytes(c.Value)).ToArray();
        Counts = new long[categories.Count + 1];
        // The profile keeps the top categories only: a value outside them is "unseen" only when they are all of them.
        Complete = reference.Distinct is { } distinct ? distinct <= categories.Count : categories.Count < DataProfiler.MaxCategories;
    }

    public ColumnProfile Reference { get; }
    public IReadOnlyList<CategoryCount> Categories { get; }

    /// <summary>Per training top category, then "other" (everything else) last.</summary>
    public long[] Counts { get; }
    public long Missing { get; private set; }
    public long Present { get; private set; }

    /// <summary>Whether the training top categories are every category training saw.</summary>
    public bool Complete { get; }
    public IReadOnlyList<string> UnseenExamples => _unseenExamples;
    public int OtherIndex => Counts.Length - 1;

    /// <summary>The category's index, <see cref="OtherIndex"/> when training's top categories lack it.</summary>
    public int IndexOf(ReadOnlySpan<byte> utf8)
    {
        var utf8Categories = _utf8;
        for (var i = 0; i < utf8Categories.Length; i++)
        {
            if (utf8.SequenceEqual(utf8Categories[i]))
                return i;
        }
        return OtherIndex;
    }

    public int IndexOf(ReadOnlySpan<char> text)
    {
        var categories = Categories;
        for (var i = 0; i < categories.Count; i++)
        {
            if (text.SequenceEqual(categories[i].Value))
                return i;
        }
        return OtherIndex;
    }

    /// <summary>Counts a category by index; a negative index is a missing value.</summary>
    public void Add(int index)
    {
        if (index < 0)
        {
            Missing++;
            return;
        }
        Present++;
        Counts[index]++;
    }

    /// <summary>Keeps an unseen value as an example (the first few distinct ones only; compared as bytes, so a repeated value costs no string).</summary>
    public void NoteUnseen(ReadOnlySpan<byte> utf8)
    {
        if (_unseenUtf8.Count >= MaxUnseenExamples || !Complete)
            return;
        foreach (var example in _unseenUtf8)
        {
            if (utf8.SequenceEqual(example))
                return;
        }
        _unseenUtf8.Add(utf8.ToArray());
        _unseenExamples.Add(Encoding.UTF8.GetString(utf8));
    }

    public void NoteUnseen(ReadOnlySpan<char> text)
    {
        if (_unseenUtf8.Count >= MaxUnseenExamples || !Complete)
            return;
        foreach (var example in _unseenExamples)
        {
            if (text.SequenceEqual(example))
                return;
        }
        var value = new string(text);
        _unseenUtf8.Add(Encoding.UTF8.GetBytes(value));
        _unseenExamples.Add(value);
    }
}

/// <summary>The features a drift check reads, by kind, in the profile's order; one slot per column for the readers.</summary>
internal sealed class LiveColumns
{
    public LiveColumns(IReadOnlyList<NumericLiveColumn> numeric, IReadOnlyList<CategoricalLiveColumn> categorical,
        NumericLiveColumn? numericPrediction = null, CategoricalLiveColumn? categoricalPrediction = null)
    {
        Numeric = numeric;
        Categorical = categorical;
        Names = numeric.Select(n => n.Reference.Name).Concat(categorical.Select(c => c.Reference.Name)).ToArray();
        NumericPrediction = numericPrediction;
        CategoricalPrediction = categoricalPrediction;
    }

    /// <summary>
    /// The model's prediction, read from a log line's "outputs" under its reference's name (at most one of the two is
    /// set; neither when the package has no prediction reference). Not a slot: inputs never fill it.
    /// </summary>
    public NumericLiveColumn? NumericPrediction { get; }
    public CategoricalLiveColumn? CategoricalPrediction { get; }
    public ColumnProfile? PredictionReference => NumericPrediction?.Reference ?? CategoricalPrediction?.Reference;

    public IReadOnlyList<NumericLiveColumn> Numeric { get; }
    public IReadOnlyList<CategoricalLiveColumn> Categorical { get; }

    /// <summary>Slot i is Numeric[i] for i &lt; Numeric.Count, else Categorical[i − Numeric.Count].</summary>
    public string[] Names { get; }
}
