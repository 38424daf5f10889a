using System.Reflection;
using System.Text.Json;
using MlOps.Ci.Serving.Model;

namespace MlOps.Ci.Serving.Protocol;

/// <summary>The Open Inference Protocol's server and model metadata, written once: neither changes while the host runs.</summary>
internal static class MetadataWriter
{
    public const string ServerName = "mlops-ci";
    public const string Platform = "onnxruntime_onnx";

    public static string ServerVersion { get; } =
        typeof(MetadataWriter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static byte[] Server() => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("name", ServerName);
        writer.WriteString("version", ServerVersion);
        writer.WriteStartArray("extensions");
        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    /// <summary>
    /// The model's metadata: inputs and outputs as the graph takes and gives them, and, as parameters, where it runs
    /// and what it is (fingerprint, task, label). A classifier's classes, in score order, are an extension field.
    /// </summary>
    public static byte[] Model(ServedModel model) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("name", model.Name);
        writer.WriteStartArray("versions");
        writer.WriteStringValue(model.Version);
        writer.WriteEndArray();
        writer.WriteString("platform", Platform);
        writer.WriteStartArray("inputs");
        foreach (var input in model.Inputs)
            Tensor(writer, input.Name, input.Datatype, 1);
        writer.WriteEndArray();
        writer.WriteStartArray("outputs");
        foreach (var output in model.Outputs)
            Tensor(writer, output.Name, output.Datatype, output.Width == 0 ? -1 : output.Width);
        writer.WriteEndArray();
        writer.WriteStartObject("parameters");
        writer.WriteString("execution_provider", model.Provider);
        writer.WriteString("fingerprint", model.Fingerprint);
        writer.WriteString("task", model.Task.ToString());
        writer.WriteString("label_column", model.Card.Signature.LabelColumn);
        if (model.PositiveClass is not null)
            writer.WriteString("positive_class", model.PositiveClass);
        writer.WriteEndObject();
        if (model.Classes.Count > 0)
        {
            writer.WriteStartArray("classes");
            foreach (var label in model.Classes)
                writer.WriteStringValue(label);
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    });

    private static void Tensor(Utf8JsonWriter writer, string name, string datatype, int width)
    {
        writer.WriteStartObject();
        writer.WriteString("name", name);
        writer.WriteString("datatype", datatype);
        writer.WriteStartArray("shape");
        writer.WriteNumberValue(-1);
        writer.WriteNumberValue(width);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, JsonValues.WriterOptions with { SkipValidation = false }))
            write(writer);
        return stream.ToArray();
    }
}
