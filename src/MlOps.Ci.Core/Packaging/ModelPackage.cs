using System.IO.Compression;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using MlOps.Ci.IO;

namespace MlOps.Ci.Packaging;

/// <summary>
/// The model package: one zip holding model.onnx, model-card.json and data-profile.json, the only thing that passes
/// from the build side to the release side. Entries are written in a fixed order with a fixed timestamp, so the same
/// content gives the same bytes and the package's digest can serve as its identity.
/// </summary>
public sealed record ModelPackage(ModelCard Card, byte[] Onnx, DataProfile Profile)
{
    public const string Extension = ".mlpkg";
    public const string MediaType = "application/vnd.mlops-ci.model.package.v1+zip";
    public const string ModelEntry = "model.onnx";
    public const string CardEntry = "model-card.json";
    public const string ProfileEntry = "data-profile.json";
    private static readonly DateTimeOffset EntryTimestamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public void Write(string path) => AtomicFile.Write(path, stream =>
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        AddEntry(zip, ModelEntry, Onnx);
        AddEntry(zip, CardEntry, System.Text.Encoding.UTF8.GetBytes(MlOpsJson.Serialize(Card)));
        AddEntry(zip, ProfileEntry, System.Text.Encoding.UTF8.GetBytes(MlOpsJson.Serialize(Profile)));
    });

    public static ModelPackage Read(string path)
    {
        if (!File.Exists(path))
        {
            throw MlOpsException.Of(DiagnosticCodes.PackageInvalid, $"Model package '{path}' does not exist.", new SourceLocation(path),
                "Build the model project first ('dotnet build'), or check the path.");
        }
        try
        {
            using var zip = ZipFile.OpenRead(path);
            return new ModelPackage(
                ReadJson<ModelCard>(zip, CardEntry, path),
                ReadBytes(zip, ModelEntry, path),
                ReadJson<DataProfile>(zip, ProfileEntry, path));
        }
        catch (InvalidDataException exception)
        {
            throw MlOpsException.Of(DiagnosticCodes.PackageInvalid, $"'{path}' is not a readable model package: {exception.Message}", new SourceLocation(path),
                "The file is damaged or not a .mlpkg; build or pull it again.");
        }
    }

    private static void AddEntry(ZipArchive zip, string name, byte[] content)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = EntryTimestamp;
        using var stream = entry.Open();
        stream.Write(content);
    }

    private static byte[] ReadBytes(ZipArchive zip, string name, string path)
    {
        var entry = zip.GetEntry(name) ?? throw MlOpsException.Of(DiagnosticCodes.PackageInvalid, $"Model package '{path}' has no {name}.",
            new SourceLocation(path), "The file is not a complete .mlpkg; build or pull it again.");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static T ReadJson<T>(ZipArchive zip, string name, string path)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<T>(ReadBytes(zip, name, path), MlOpsJson.Options)
                ?? throw new System.Text.Json.JsonException("null");
        }
        catch (System.Text.Json.JsonException exception)
        {
            throw MlOpsException.Of(DiagnosticCodes.PackageInvalid, $"{name} in '{path}' is not valid: {exception.Message}", new SourceLocation(path),
                "The package was written by an incompatible version or is damaged; build it again.");
        }
    }
}
