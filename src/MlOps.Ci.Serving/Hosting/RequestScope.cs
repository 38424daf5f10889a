using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.ObjectPool;
using MlOps.Ci.Serving.Model;
using MlOps.Ci.Serving.Protocol;

namespace MlOps.Ci.Serving.Hosting;

/// <summary>What one scoring request works in: the batch and the response buffer, taken from a pool and given back.</summary>
internal sealed class RequestScope : IDisposable
{
    private readonly ArrayBufferWriter<byte> _response = new(512);

    public RequestScope(ServedModel model)
    {
        Batch = new ScoringBatch(model);
        Writer = new Utf8JsonWriter(_response, JsonValues.WriterOptions);
    }

    public ScoringBatch Batch { get; }
    public Utf8JsonWriter Writer { get; }
    public ReadOnlyMemory<byte> Response => _response.WrittenMemory;

    public void Reset()
    {
        Batch.Reset();
        _response.ResetWrittenCount();
        Writer.Reset(_response);
    }

    public void Dispose()
    {
        Batch.Dispose();
        Writer.Dispose();
    }

    /// <summary>Pools scopes; one that grew for a huge batch is dropped rather than kept.</summary>
    public sealed class Policy(ServedModel model) : PooledObjectPolicy<RequestScope>
    {
        private const int MaxRetainedRows = 1024;

        public override RequestScope Create() => new(model);

        public override bool Return(RequestScope scope)
        {
            if (scope.Batch.RowCapacity > MaxRetainedRows)
                return false;
            scope.Reset();
            return true;
        }
    }
}
