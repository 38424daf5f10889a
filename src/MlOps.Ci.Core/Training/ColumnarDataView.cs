using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlOps.Ci.Training;

/// <summary>
/// An ML.NET <see cref="IDataView"/> over arrays we already parsed. We read CSV once with our own rules (missing
/// markers, booleans, label classes) and hand ML.NET exactly those values, with each feature as its own named column,
/// so the exported ONNX graph takes the raw columns by name.
/// </summary>
internal sealed class ColumnarDataView : IDataView
{
    private readonly IReadOnlyList<Column> _columns;
    private readonly int _rowCount;

    public ColumnarDataView(IReadOnlyList<Column> columns, int rowCount)
    {
        _columns = columns;
        _rowCount = rowCount;
        var builder = new DataViewSchema.Builder();
        foreach (var column in columns)
            builder.AddColumn(column.Name, column.Type, column.Annotations);
        Schema = builder.ToSchema();
    }

    public DataViewSchema Schema { get; }
    public bool CanShuffle => false;
    public long? GetRowCount() => _rowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>One column: its name, ML.NET type, and a getter reading the value at the cursor's row.</summary>
    internal abstract record Column(string Name, DataViewType Type, DataViewSchema.Annotations? Annotations = null)
    {
        public abstract Delegate MakeGetter(Func<long> position);
    }

    internal sealed record SingleColumn(string Name, float[] Values) : Column(Name, NumberDataViewType.Single)
    {
        public override Delegate MakeGetter(Func<long> position) => (ValueGetter<float>)((ref float value) => value = Values[position()]);
    }

    internal sealed record BooleanColumn(string Name, bool[] Values) : Column(Name, BooleanDataViewType.Instance)
    {
        public override Delegate MakeGetter(Func<long> position) => (ValueGetter<bool>)((ref bool value) => value = Values[position()]);
    }

    internal sealed record TextColumn(string Name, string[] Values) : Column(Name, TextDataViewType.Instance)
    {
        public override Delegate MakeGetter(Func<long> position) =>
            (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> value) => value = Values[position()].AsMemory());
    }

    /// <summary>A label as ML.NET's key type (1-based, 0 = missing) whose key values are the class names.</summary>
    internal sealed record KeyColumn(string Name, uint[] Keys, IReadOnlyList<string> Classes)
        : Column(Name, new KeyDataViewType(typeof(uint), Classes.Count), ClassAnnotations(Classes))
    {
        public override Delegate MakeGetter(Func<long> position) => (ValueGetter<uint>)((ref uint value) => value = Keys[position()]);

        private static DataViewSchema.Annotations ClassAnnotations(IReadOnlyList<string> classes)
        {
            var names = classes.Select(c => c.AsMemory()).ToArray();
            var builder = new DataViewSchema.Annotations.Builder();
            // "KeyValues" is ML.NET's annotation kind for a key type's value names (AnnotationUtils.Kinds.KeyValues, internal there).
            builder.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, names.Length),
                (ref VBuffer<ReadOnlyMemory<char>> value) => value = new VBuffer<ReadOnlyMemory<char>>(names.Length, names));
            return builder.ToAnnotations();
        }
    }

    private sealed class Cursor(ColumnarDataView view) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position + 1 >= view._rowCount)
            {
                _position = view._rowCount;
                return false;
            }
            _position++;
            return true;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            view._columns[column.Index].MakeGetter(() => _position) as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"Column '{column.Name}' is not of type {typeof(TValue).Name}.");
    }
}
