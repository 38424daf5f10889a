using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlOps.Ci.Serving.Model;

/// <summary>
/// One request's rows, column by column, and the model's outputs for them. Pooled: the arrays grow to the largest
/// request seen and are reused, so a steady stream of small requests allocates no per-column buffers.
/// </summary>
internal sealed class ScoringBatch : IDisposable
{
    private const int InitialRows = 4;

    public ScoringBatch(ServedModel model)
    {
        Model = model;
        var inputs = model.Inputs.Count;
        Numbers = new float[inputs][];
        Texts = new string[inputs][];
        for (var i = 0; i < inputs; i++)
        {
            Numbers[i] = model.Inputs[i].IsText ? [] : new float[InitialRows];
            Texts[i] = model.Inputs[i].IsText ? new string[InitialRows] : [];
        }
        Seen = new bool[inputs];
        _ortInputs = new OrtValue[inputs];
        var outputs = model.Outputs.Length;
        Floats = new float[outputs][];
        Flags = new bool[outputs][];
        Strings = new string[outputs][];
        Widths = new int[outputs];
        for (var o = 0; o < outputs; o++)
        {
            Floats[o] = [];
            Flags[o] = [];
            Strings[o] = [];
        }
        RowCapacity = InitialRows;
    }

    public ServedModel Model { get; }
    public int Rows { get; set; }
    public int RowCapacity { get; private set; }

    /// <summary>Numeric and boolean inputs by input index (NaN = missing); empty for categorical inputs.</summary>
    public float[][] Numbers { get; }

    /// <summary>Categorical inputs by input index ("" = missing); empty for numeric inputs.</summary>
    public string[][] Texts { get; }

    /// <summary>Which inputs the row (or request) being read has given so far.</summary>
    public bool[] Seen { get; }

    private readonly OrtValue[] _ortInputs;
    private int _ortRows;

    /// <summary>Outputs by output index, row-major with <see cref="Widths"/> values per row; only the array matching the output's type is filled.</summary>
    public float[][] Floats { get; }
    public bool[][] Flags { get; }
    public string[][] Strings { get; }
    public int[] Widths { get; }

    public void Reset()
    {
        Rows = 0;
        Array.Clear(Seen);
    }

    /// <summary>Makes room for <paramref name="rows"/> rows, keeping the rows already read.</summary>
    public void EnsureRows(int rows)
    {
        if (rows <= RowCapacity)
            return;
        // The cached tensors are views of the arrays about to be replaced.
        ReleaseInputs();
        var capacity = Math.Max(rows, RowCapacity * 2);
        for (var i = 0; i < Numbers.Length; i++)
        {
            if (Model.Inputs[i].IsText)
                Array.Resize(ref Texts[i], capacity);
            else
                Array.Resize(ref Numbers[i], capacity);
        }
        RowCapacity = capacity;
    }

    /// <summary>
    /// The graph's inputs for the current rows. Numeric tensors are views of <see cref="Numbers"/> (pinned), so a batch
    /// that sees the same number of rows again (a stream of single rows) reuses them as they are; string tensors are
    /// refilled. Creating eleven tensors costs about as much as a third of running a 100-tree model.
    /// </summary>
    public OrtValue[] Inputs()
    {
        var rows = Rows;
        if (rows != _ortRows)
        {
            ReleaseInputs();
            long[] shape = [rows, 1];
            for (var i = 0; i < _ortInputs.Length; i++)
            {
                _ortInputs[i] = Model.Inputs[i].IsText
                    ? OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape)
                    : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Numbers[i].AsMemory(0, rows), shape);
            }
            _ortRows = rows;
        }
        for (var i = 0; i < _ortInputs.Length; i++)
        {
            if (!Model.Inputs[i].IsText)
                continue;
            var value = _ortInputs[i];
            var texts = Texts[i];
            for (var r = 0; r < rows; r++)
                value.StringTensorSetElementAt(texts[r].AsSpan(), r);
        }
        return _ortInputs;
    }

    private void ReleaseInputs()
    {
        if (_ortRows == 0)
            return;
        for (var i = 0; i < _ortInputs.Length; i++)
        {
            _ortInputs[i].Dispose();
            _ortInputs[i] = null!;
        }
        _ortRows = 0;
    }

    public void Dispose() => ReleaseInputs();

    /// <summary>Copies one output of the graph into this batch's buffers.</summary>
    public void Take(int output, OrtValue value, int rows)
    {
        var column = Model.Outputs[output];
        switch (column.ElementType)
        {
            case TensorElementType.Float:
            {
                var data = value.GetTensorDataAsSpan<float>();
                Widths[output] = rows == 0 ? 0 : data.Length / rows;
                if (Floats[output].Length < data.Length)
                    Floats[output] = new float[Math.Max(data.Length, Floats[output].Length * 2)];
                data.CopyTo(Floats[output]);
                break;
            }
            case TensorElementType.Bool:
            {
                var data = value.GetTensorDataAsSpan<bool>();
                Widths[output] = rows == 0 ? 0 : data.Length / rows;
                if (Flags[output].Length < data.Length)
                    Flags[output] = new bool[Math.Max(data.Length, Flags[output].Length * 2)];
                data.CopyTo(Flags[output]);
                break;
            }
            case TensorElementType.String:
            {
                var length = (int)value.GetTensorTypeAndShape().ElementCount;
                Widths[output] = rows == 0 ? 0 : length / rows;
                if (Strings[output].Length < length)
                    Strings[output] = new string[Math.Max(length, Strings[output].Length * 2)];
                var strings = Strings[output];
                for (var i = 0; i < length; i++)
                    strings[i] = Model.ClassName(value.GetStringElementAsSpan(i));
                break;
            }
        }
    }
}
