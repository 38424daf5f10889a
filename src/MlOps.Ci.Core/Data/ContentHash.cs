using System.IO.Hashing;

namespace MlOps.Ci.Data;

/// <summary>
/// Content fingerprints. XxHash128 rather than MD5 (DVC's choice) or SHA-256: identity of our own inputs needs no
/// cryptographic strength, and it hashes an order of magnitude faster, which matters for large data files.
/// </summary>
public static class ContentHash
{
    public const string Prefix = "xxh128:";

    public static string OfFile(string path)
    {
        var hash = new XxHash128();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20, FileOptions.SequentialScan);
        hash.Append(stream);
        return Prefix + Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    public static string OfBytes(ReadOnlySpan<byte> bytes) => Prefix + Convert.ToHexStringLower(XxHash128.Hash(bytes));

    public static string OfText(string text) => OfBytes(System.Text.Encoding.UTF8.GetBytes(text));
}
