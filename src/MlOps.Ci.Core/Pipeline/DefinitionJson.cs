using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using MlOps.Ci.IO;

namespace MlOps.Ci.Pipeline;

/// <summary>
/// Source-generated serialization metadata for the definition, with MlOpsJson's options. Every engine run starts by
/// reading pipeline.json, which lists every data file (5.5 MB for 100,000 files); building the same metadata by
/// reflection, then JIT-compiling it, costs a cold process about a tenth of a second of `mlops status`.
/// </summary>
[JsonSerializable(typeof(PipelineDefinition))]
internal sealed partial class DefinitionJsonContext : JsonSerializerContext
{
    public static JsonTypeInfo<PipelineDefinition> Definition { get; } =
        new DefinitionJsonContext(new JsonSerializerOptions(MlOpsJson.Options) { TypeInfoResolver = null }).PipelineDefinition;
}
