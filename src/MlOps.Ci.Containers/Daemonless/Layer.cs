using System.Formats.Tar;
using System.IO.Compression;
using MlOps.Ci.Containers.Images;
using MlOps.Ci.Registry;

namespace MlOps.Ci.Containers.Daemonless;

/// <summary>
/// An image layer made here: a gzip-compressed tar, its digest (of the compressed bytes, what the manifest names) and
/// its diff id (of the tar itself, what the image config's rootfs lists).
/// </summary>
internal sealed record Layer(byte[] Content, string Digest, string DiffId, string Description)
{
    public const string DockerMediaType = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string OciMediaType = "application/vnd.oci.image.layer.v1.tar+gzip";

    public static Layer Create(string description, Action<TarWriter> write)
    {
        using var tar = new MemoryStream();
        using (var writer = ImageTar.Writer(tar))
            write(writer);
        var diffId = OciRegistryClient.Sha256Digest(tar.GetBuffer().AsSpan(0, (int)tar.Length));
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            tar.Position = 0;
            tar.CopyTo(gzip);
        }
        var content = compressed.ToArray();
        return new Layer(content, OciRegistryClient.Sha256Digest(content), diffId, description);
    }

    /// <summary>The tool under app/, and the user's writable home (owned by the image's user).</summary>
    public static Layer App(AppFolder app) => Create($"COPY app/ {ServingImageRecipe.AppDirectory}/", tar =>
    {
        ImageTar.App(tar, app, ServingImageRecipe.AppDirectory.TrimStart('/'));
        ImageTar.Directory(tar, "home");
        ImageTar.Directory(tar, ServingImageRecipe.HomeDirectory.TrimStart('/'), ServingImageRecipe.UserId);
    });

    public static Layer Model(string packagePath) => Create($"COPY model.mlpkg {ServingImageRecipe.ModelPath}", tar =>
    {
        ImageTar.Directory(tar, ServingImageRecipe.ModelDirectory.TrimStart('/'));
        using var package = File.OpenRead(packagePath);
        ImageTar.File(tar, ServingImageRecipe.ModelPath.TrimStart('/'), package);
    });
}
