using System.Formats.Tar;
using Docker.DotNet.Models;

namespace MlOps.Ci.Containers.Tests.Support;

/// <summary>
/// Reads files out of an image without running it (a container is created, not started, and removed after), or out of
/// an existing container.
/// </summary>
public static class ImageFiles
{
    public static async Task<IReadOnlyList<TarEntry>> ListAsync(ContainerEnvironment environment, string image, string path, bool fromContainer = false)
    {
        var id = fromContainer ? image : (await environment.Docker.Containers.CreateContainerAsync(new CreateContainerParameters { Image = image })).ID;
        try
        {
            var archive = await environment.Docker.Containers.GetArchiveFromContainerAsync(id, new GetArchiveFromContainerParameters { Path = path }, statOnly: false);
            using var copy = new MemoryStream();
            await archive.Stream.CopyToAsync(copy);
            archive.Stream.Dispose();
            copy.Position = 0;
            var entries = new List<TarEntry>();
            using var reader = new TarReader(copy);
            while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
                entries.Add(entry);
            return entries;
        }
        finally
        {
            if (!fromContainer)
                await environment.Docker.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
        }
    }
}
