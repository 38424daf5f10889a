using System.CommandLine;
using MlOps.Ci.Cli.Progress;
using MlOps.Ci.Packaging;
using MlOps.Ci.Registry;
using MlOps.Ci.Runtime;
using MlOps.Ci.Scoring;

namespace MlOps.Ci.Cli.Commands;

/// <summary>The release-side verbs over a model package: inspect, score, push, pull.</summary>
internal static class PackageCommands
{
    public static IEnumerable<Command> Create(GlobalOptions global)
    {
        var packagePath = new Argument<FileInfo>("package") { Description = "A model package (.mlpkg)." };
        var inspect = new Command("inspect", "Print a model package's model card.") { packagePath };
        inspect.SetAction(parse => CommandOutput.Run(json: true, () => ModelPackage.Read(parse.GetValue(packagePath)!.FullName).Card));
        yield return inspect;

        var scorePackage = EnvironmentDefaults.PackageOption("The model package");
        var input = new Option<FileInfo>("--input", "-i") { Description = "A CSV with the model's input columns (others are passed through).", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the input rows with the predictions appended.", Required = true };
        var score = new Command("score", "Batch inference: score every row of a CSV with the package's ONNX model, checking the model's input schema.")
        {
            scorePackage, input, output,
        };
        var scoreOrt = new OrtOptions();
        scoreOrt.AddTo(score);
        var scoreProvider = new Option<ExecutionProvider?>("--execution-provider")
        {
            Description = "Cpu, Cuda (warns and scores on CPU when CUDA cannot load), Auto or CudaRequired (fails, writing nothing, without CUDA) (default: Auto with --ort-flavor Gpu, else Cpu).",
        };
        score.Options.Add(scoreProvider);
        score.SetAction(parse => CommandOutput.Run(parse.GetValue(global.Json), () =>
        {
            var packagePath = EnvironmentDefaults.RequirePackage(parse.GetValue(scorePackage)).FullName;
            var flavor = scoreOrt.Use(parse);
            var options = new BatchScoringOptions(packagePath, parse.GetValue(input)!.FullName, parse.GetValue(output)!.FullName)
            {
                ExecutionProvider = parse.GetValue(scoreProvider) ?? OrtSettings.DefaultProvider(flavor),
            };
            var logger = new ConsoleLogger(parse.GetValue(global.Verbose), parse.GetValue(global.Json));
            var result = CliProgress.Run(parse.GetValue(global.Json), "Scoring", ProgressUnit.Rows, report =>
                BatchScorer.Score(options, new ScoringProgressReport(report), logger));
            if (!parse.GetValue(global.Json))
                Console.Out.WriteLine($"Scored {result.Rows} rows in {result.Seconds:0.00} s ({result.RowsPerSecond:N0} rows/s) on {result.Runtime?.ExecutionProvider} → {result.Output}");
            return result;
        }));
        yield return score;

        var registry = new Option<string?>("--registry", "-r")
        {
            Description = "oci://host[:port]/repository, or a folder (default: $MLOPS_REGISTRY, else a folder in the user's data directory).",
        };
        var tags = new Option<string[]>("--tag", "-t") { Description = "Extra tags (the version, the fingerprint and 'latest' are always set).", AllowMultipleArgumentsPerToken = true };
        var pushPackage = new Argument<FileInfo?>("package")
        {
            Description = $"The model package to push (default: ${EnvironmentDefaults.Package}).",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => EnvironmentDefaults.FileFrom(EnvironmentDefaults.Package),
        };
        var push = new Command("push", "Store a model package in a registry under its version, its fingerprint and 'latest'.") { pushPackage, registry, tags };
        push.SetAction(parse => CommandOutput.Run(parse.GetValue(global.Json), () =>
        {
            var path = EnvironmentDefaults.RequirePackage(parse.GetValue(pushPackage)).FullName;
            var card = ModelPackage.Read(path).Card;
            var target = ModelRegistries.Open(parse.GetValue(registry));
            var allTags = ModelTags.ForPublishing(card.Version, card.Fingerprints.Model, parse.GetValue(tags) ?? []);
            // The registries report no bytes yet: the bar only says the transfer is under way.
            var stored = CliProgress.Run(parse.GetValue(global.Json), $"Pushing {card.Name} {card.Version}", ProgressUnit.Bytes, report =>
            {
                report.Report(0, 0, target.Description);
                return target.PushAsync(path, new ModelAnnotations(card.Name, card.Version, card.Fingerprints.Model, card.Source.Commit, card.Metrics,
                    card.Task.ToString()), allTags).GetAwaiter().GetResult();
            });
            if (!parse.GetValue(global.Json))
                Console.Out.WriteLine($"Pushed {card.Name} {card.Version} to {target.Description} as {string.Join(", ", allTags)} ({stored.Digest}).");
            return new PushedPackage(card.Name, card.Version, target.Description, allTags, stored.Location, stored.Digest, stored.Size, card);
        }, result => result is PushedPackage pushed ? StepOutputSelectors.OfCard(pushed.Card, null) : []));
        yield return push;

        var model = new Argument<string>("model") { Description = "NAME[:TAG] of the model (TAG defaults to 'latest'; a version or xxh128-… fingerprint tag also work)." };
        var destination = new Option<FileInfo?>("--output", "-o") { Description = "Where to write the package (default: NAME.TAG.mlpkg in the current folder)." };
        var pull = new Command("pull", "Fetch a model package from a registry, verified against its digest.") { model, registry, destination };
        pull.SetAction(parse => CommandOutput.Run(parse.GetValue(global.Json), () =>
        {
            var reference = parse.GetValue(model)!;
            var colon = reference.LastIndexOf(':');
            var (name, tag) = colon > 0 ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
            var path = parse.GetValue(destination)?.FullName ?? Path.GetFullPath($"{name}.{tag}.mlpkg");
            var source = ModelRegistries.Open(parse.GetValue(registry));
            var pulled = CliProgress.Run(parse.GetValue(global.Json), $"Pulling {name}:{tag}", ProgressUnit.Bytes, report =>
            {
                report.Report(0, 0, source.Description);
                return source.PullAsync(name, tag, path).GetAwaiter().GetResult();
            }) ?? throw Diagnostics.MlOpsException.Of(Diagnostics.DiagnosticCodes.ArtifactNotFound,
                $"Model '{name}' has no tag '{tag}' in {source.Description}.", null, "Check the name and tag; 'mlops push' stores a package under its version, fingerprint and 'latest'.");
            if (!parse.GetValue(global.Json))
                Console.Out.WriteLine($"Pulled {name}:{tag} from {source.Description} → {path} ({pulled.Digest}).");
            return new PulledPackage(name, tag, source.Description, path, pulled.Digest, pulled.Size);
        }, result => result is PulledPackage pulled ? StepOutputSelectors.OfCard(ModelPackage.Read(pulled.Path).Card, pulled.Path) : []));
        yield return pull;
    }
}

/// <summary>What <c>mlops push</c> stored, and where; the card is for the step outputs, not the --json document.</summary>
internal sealed record PushedPackage(string Name, string Version, string Registry, IReadOnlyList<string> Tags, string Location, string Digest, long Size,
    [property: System.Text.Json.Serialization.JsonIgnore] ModelCard Card);

/// <summary>What <c>mlops pull</c> fetched, and where it put it.</summary>
internal sealed record PulledPackage(string Name, string Tag, string Registry, string Path, string Digest, long Size);
