using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MlOps.Ci.Containers.Images;

namespace MlOps.Ci.Containers.Daemonless;

/// <summary>
/// The new image's config: the base image's, with the recipe's user, working folder, command, port, health check and
/// labels, and the new layers appended to its rootfs and history (one history entry per non-empty layer, which some
/// registries check).
/// </summary>
internal static class ImageConfig
{
    public const string DockerMediaType = "application/vnd.docker.container.image.v1+json";
    public const string OciMediaType = "application/vnd.oci.image.config.v1+json";
    private const long NanosecondsPerTick = 100;

    public static byte[] Create(JsonObject baseConfig, ServingImageRecipe recipe, IReadOnlyList<Layer> layers, DateTimeOffset created)
    {
        var image = (JsonObject)baseConfig.DeepClone();
        // What the engine recorded about the container that made the base image says nothing about this one.
        image.Remove("container");
        image.Remove("container_config");
        image.Remove("docker_version");

        var config = image["config"] as JsonObject ?? [];
        image["config"] = config;
        config.Remove("Image");
        config["User"] = recipe.User;
        config["WorkingDir"] = ServingImageRecipe.HomeDirectory;
        config["Entrypoint"] = Array(recipe.Entrypoint);
        config["Cmd"] = Array(recipe.Command);
        var ports = config["ExposedPorts"] as JsonObject ?? [];
        ports[$"{recipe.Port}/tcp"] = new JsonObject();
        config["ExposedPorts"] = ports;
        var labels = config["Labels"] as JsonObject ?? [];
        foreach (var (name, value) in recipe.Labels)
            labels[name] = value;
        config["Labels"] = labels;
        config["Healthcheck"] = recipe.HealthCheck.Count == 0
            ? new JsonObject { ["Test"] = Array(["NONE"]) }
            : new JsonObject
            {
                ["Test"] = Array(["CMD", .. recipe.HealthCheck]),
                ["Interval"] = Nanoseconds(ServingImageRecipe.HealthCheckInterval),
                ["Timeout"] = Nanoseconds(ServingImageRecipe.HealthCheckTimeout),
                ["StartPeriod"] = Nanoseconds(ServingImageRecipe.HealthCheckStartPeriod),
                ["Retries"] = ServingImageRecipe.HealthCheckRetries,
            };

        var rootfs = image["rootfs"] as JsonObject ?? new JsonObject { ["type"] = "layers" };
        var diffIds = rootfs["diff_ids"] as JsonArray ?? [];
        foreach (var layer in layers)
            diffIds.Add(layer.DiffId);
        rootfs["diff_ids"] = diffIds;
        image["rootfs"] = rootfs;

        var timestamp = created.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
        var history = image["history"] as JsonArray ?? [];
        foreach (var layer in layers)
            history.Add(new JsonObject { ["created"] = timestamp, ["created_by"] = $"MlOps.Ci ServingImagePublisher: {layer.Description}" });
        image["history"] = history;
        image["created"] = timestamp;
        return Encoding.UTF8.GetBytes(image.ToJsonString());
    }

    private static JsonArray Array(IEnumerable<string> items) => new(items.Select(item => (JsonNode)JsonValue.Create(item)!).ToArray());

    private static long Nanoseconds(TimeSpan span) => span.Ticks * NanosecondsPerTick;
}
