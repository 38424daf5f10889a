using System.CommandLine;
using MlOps.Ci.Automation;
using MlOps.Ci.Cli.Progress;
using MlOps.Ci.Containers;

namespace MlOps.Ci.Cli.Commands;

/// <summary>
/// <c>mlops image build|push</c>: a serving image for a model package — built through the Docker Engine API, smoke-tested
/// against the package's own predictions, then pushed; or assembled and pushed without an engine (<c>--daemonless</c>).
/// </summary>
internal static class ImageCommands
{
    public static Command Create(GlobalOptions global)
    {
        var image = new Command("image", "Build and publish serving images for model packages.");
        image.Subcommands.Add(Verb(global, "build", "Build the serving image and smoke-test it (push with --push).", push: false));
        image.Subcommands.Add(Verb(global, "push", "Build, smoke-test and push the serving image (with --daemonless: assemble and push it without an engine).", push: true));
        return image;
    }

    private static Command Verb(GlobalOptions global, string name, string description, bool push)
    {
        var package = EnvironmentDefaults.PackageOption("The model package to serve");
        var registry = new Option<string?>("--registry", "-r") { Description = "registry[/namespace]: the image is <registry>/<model name>:<model version>." };
        var imageName = new Option<string?>("--image")
        {
            Description = $"The full image reference [registry/]repository[:tag], instead of the default naming (default: ${EnvironmentDefaults.Image}).",
            DefaultValueFactory = _ => EnvironmentDefaults.Get(EnvironmentDefaults.Image),
        };
        var baseImage = new Option<string>("--base-image")
        {
            Description = "An ASP.NET Core 10 runtime image to build on.",
            DefaultValueFactory = _ => ServingImageOptions.DefaultBaseImage,
        };
        var tags = new Option<string[]>("--tag", "-t") { Description = "Further tags (e.g. latest, the commit).", AllowMultipleArgumentsPerToken = true };
        var smokeData = new Option<FileInfo?>("--smoke-test-data") { Description = "A CSV whose rows the smoke test sends (default: rows made from the package's data profile)." };
        var noSmoke = new Option<bool>("--no-smoke-test") { Description = "Skip running the image before pushing it." };
        var alsoPush = new Option<bool>("--push") { Description = "Push the image once built and smoke-tested." };
        var daemonless = new Option<bool>("--daemonless") { Description = "No Docker engine: assemble the image from the base image in its registry and push it (no smoke test)." };
        var command = new Command(name, description) { package, registry, imageName, baseImage, tags, smokeData, noSmoke, daemonless };
        if (!push)
            command.Options.Add(alsoPush);
        command.SetAction(parse => CommandOutput.Run(parse.GetValue(global.Json), () =>
        {
            var options = new ServingImageOptions(EnvironmentDefaults.RequirePackage(parse.GetValue(package)).FullName)
            {
                Registry = parse.GetValue(registry),
                Image = parse.GetValue(imageName),
                BaseImage = parse.GetValue(baseImage)!,
                AdditionalTags = parse.GetValue(tags) ?? [],
                SmokeTest = !parse.GetValue(noSmoke),
                SmokeTestData = parse.GetValue(smokeData)?.FullName,
                Push = push || parse.GetValue(alsoPush),
            };
            var console = new ConsoleLogger(parse.GetValue(global.Verbose), parse.GetValue(global.Json));
            var style = ProgressPolicy.ForThisProcess(parse.GetValue(global.Json));
            var result = CliProgress.Run(style, options.Push ? "Publishing image" : "Building image", ProgressUnit.Steps, report =>
            {
                // The build narrates its Dockerfile steps through the logger; they drive the bar.
                var logger = new ProgressLogger(console, report, style);
                return parse.GetValue(daemonless)
                    ? new ServingImagePublisher(logger).PublishAsync(options).GetAwaiter().GetResult()
                    : new ServingImageBuilder(logger).PublishAsync(options).GetAwaiter().GetResult();
            });
            if (!parse.GetValue(global.Json))
                Console.Out.WriteLine($"Image {result.PinnedReference ?? result.Reference} ({result.Size / 1_000_000.0:0.0} MB).");
            return result;
        }, result => result is ServingImage built
            ? [new(StepOutputs.Image, built.PinnedReference ?? built.Reference)]
            : []));
        return command;
    }
}
