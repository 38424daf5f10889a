using System.Text.Json;
using System.Text.Json.Serialization;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.IO;

/// <summary>The one JSON dialect of every file MlOps.Ci writes: camelCase, indented, enums as strings.</summary>
public static class MlOpsJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options) + "\n";

    /// <summary>One line, no trailing newline: for step outputs and log lines.</summary>
    public static string SerializeCompact<T>(T value) => JsonSerializer.Serialize(value, CompactOptions);

    private static readonly JsonSerializerOptions CompactOptions = new(Options) { WriteIndented = false };

    public static void WriteFile<T>(string path, T value) => AtomicFile.WriteAllText(path, Serialize(value));

    /// <summary>Reads a JSON file; a syntax or shape error becomes a diagnostic with the file, line and column.</summary>
    public static T ReadFile<T>(string path, string errorCode, string hint)
    {
        if (!File.Exists(path))
            throw MlOpsException.Of(errorCode, $"File '{path}' does not exist.", new SourceLocation(path), hint);
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<T>(stream, Options)
                ?? throw MlOpsException.Of(errorCode, $"File '{path}' holds JSON null.", new SourceLocation(path, 1, 1), hint);
        }
        catch (JsonException exception)
        {
            var line = (int)(exception.LineNumber ?? 0) + 1;
            var column = (int)(exception.BytePositionInLine ?? 0) + 1;
            throw MlOpsException.Of(errorCode, $"File '{Path.GetFileName(path)}' is not valid: {FirstSentence(exception.Message)}",
                new SourceLocation(path, line, column), hint);
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
