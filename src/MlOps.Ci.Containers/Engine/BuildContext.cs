using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MlOps.Ci.Containers.Images;

namespace MlOps.Ci.Containers.Engine;

/// <summary>
/// The build context sent to the engine, as an in-memory tar: a Dockerfile written from the recipe, the tool under
/// app/, the package as model/model.mlpkg, and an empty home/ that becomes the user's writable working folder. Nothing
/// in the Dockerfile runs a command, so any base image works, even one without a shell.
/// </summary>
internal static class BuildContext
{
    public const string DockerfileName = "Dockerfile";
    private static readonly JsonSerializerOptions ExecForm = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Dockerfile(ServingImageRecipe recipe, string modelName)
    {
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# Written by MlOps.Ci (ServingImageBuilder) for model {modelName}; rebuild with the same options rather than editing.")
            .AppendLine(CultureInfo.InvariantCulture, $"FROM {recipe.BaseImage}")
            .AppendLine(CultureInfo.InvariantCulture, $"COPY app/ {ServingImageRecipe.AppDirectory}/")
            .AppendLine(CultureInfo.InvariantCulture, $"COPY model/ {ServingImageRecipe.ModelDirectory}/")
            .AppendLine(CultureInfo.InvariantCulture, $"COPY --chown={recipe.User}:{recipe.User} home/ {ServingImageRecipe.HomeDirectory}/")
            .AppendLine(CultureInfo.InvariantCulture, $"WORKDIR {ServingImageRecipe.HomeDirectory}")
            .AppendLine(CultureInfo.InvariantCulture, $"USER {recipe.User}")
            .AppendLine(CultureInfo.InvariantCulture, $"EXPOSE {recipe.Port}/tcp");
        text.AppendLine(recipe.HealthCheck.Count == 0
            ? "HEALTHCHECK NONE"
            : string.Create(CultureInfo.InvariantCulture,
                $"HEALTHCHECK --interval={Seconds(ServingImageRecipe.HealthCheckInterval)} --timeout={Seconds(ServingImageRecipe.HealthCheckTimeout)} --start-period={Seconds(ServingImageRecipe.HealthCheckStartPeriod)} --retries={ServingImageRecipe.HealthCheckRetries} CMD {Json(recipe.HealthCheck)}"));
        text.AppendLine(CultureInfo.InvariantCulture, $"ENTRYPOINT {Json(recipe.Entrypoint)}")
            .AppendLine(CultureInfo.InvariantCulture, $"CMD {Json(recipe.Command)}");
        // One instruction for every label: the legacy builder makes an image per instruction.
        text.Append("LABEL ").AppendJoin(" \\\n      ", recipe.Labels.Select(label => $"{label.Key}={Quote(label.Value)}")).AppendLine();
        return text.ToString();
    }

    /// <summary>The context as a tar stream, positioned at its start.</summary>
    public static MemoryStream Create(ServingImageRecipe recipe, AppFolder app, string packagePath, string modelName)
    {
        var stream = new MemoryStream();
        using (var tar = ImageTar.Writer(stream))
        {
            using (var dockerfile = new MemoryStream(Encoding.UTF8.GetBytes(Dockerfile(recipe, modelName))))
                ImageTar.File(tar, DockerfileName, dockerfile);
            ImageTar.App(tar, app, "app");
            ImageTar.Directory(tar, "model");
            using (var package = File.OpenRead(packagePath))
                ImageTar.File(tar, $"model/{ServingImageRecipe.ModelFileName}", package);
            ImageTar.Directory(tar, "home");
        }
        stream.Position = 0;
        return stream;
    }

    private static string Json(IReadOnlyList<string> arguments) => JsonSerializer.Serialize(arguments, ExecForm);

    private static string Seconds(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalSeconds}s");

    /// <summary>A Dockerfile string: quotes and backslashes escaped, '$' escaped so it is not read as a variable, one line.</summary>
    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("$", "\\$", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ') + "\"";
}
