using System.Diagnostics;
using System.Globalization;
using MlOps.Ci.Data;
using MlOps.Ci.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Ci.Packaging;
using MlOps.Ci.Pipeline;
using MlOps.Ci.Scoring;

namespace MlOps.Ci.Benchmarks;

/// <summary>
/// Batch scoring, measured in one process: 'time-score' times whole <see cref="BatchScorer.Score"/> runs (rows/s, after
/// one warm-up run); 'profile-score' times its phases one by one on one thread over the first rows of a file — reading
/// (Sep + parsing into the chunk's columns), ONNX Runtime's Run, and formatting the output rows — which says what the
/// model itself costs per row and so what rows/s the machine's cores can reach at most.
/// </summary>
public static class ScoringProfile
{
    /// <summary>
    /// Trains the churn sample's data into a package in <paramref name="folder"/>: FastTree as the sample does, or another
    /// trainer (e.g. LbfgsLogisticRegression, a linear model) to compare what the model costs per row.
    /// </summary>
    public static int Train(string dataFolder, string trainer, string folder)
    {
        var definition = new PipelineDefinition
        {
            ModelName = "churn-" + trainer.ToLowerInvariant(),
            ModelTask = ModelTask.BinaryClassification,
            LabelColumn = "Churned",
            Trainer = trainer,
            TrainingData = [Path.GetFullPath(Path.Combine(dataFolder, "train.csv"))],
            EvaluationData = [Path.GetFullPath(Path.Combine(dataFolder, "test.csv"))],
            IgnoreColumns = ["CustomerId"],
            // FastTree as samples/churn/churn.mlproj trains it; other trainers with their defaults.
            Hyperparameters = trainer == "FastTree"
                ? new Dictionary<string, string> { ["NumberOfTrees"] = "200", ["NumberOfLeaves"] = "16", ["LearningRate"] = "0.05" }
                : new Dictionary<string, string>(),
            ProjectFile = Path.GetFullPath(Path.Combine(folder, "model.mlproj")),
            IntermediateDirectory = Path.GetFullPath(Path.Combine(folder, "obj")),
            PackagePath = Path.GetFullPath(Path.Combine(folder, "model.mlpkg")),
        };
        new PipelineRunner(NullLogger.Instance).Run(definition, [PipelineStep.Validate, PipelineStep.Train, PipelineStep.Evaluate, PipelineStep.Package]);
        Console.WriteLine(definition.PackagePath);
        return 0;
    }

    private static (List<ScoringChunk> Chunks, int Rows, TimeSpan SplitOnly) ReadChunks(string input, IReadOnlyList<ScoringInput> inputs, DiagnosticBag bag,
        int rows, int chunkRows, List<ScoringChunk>? reuse = null)
    {
        // Chunks of an earlier pass are reused, as BatchScorer reuses its own: allocating fresh ones would time page faults.
        var spare = new Stack<ScoringChunk>(reuse ?? []);
        foreach (var old in spare)
            old.Clear();
        var split = Stopwatch.StartNew();
        using (var splitter = CsvFile.Open(input))
        {
            var seen = 0;
            foreach (var row in splitter)
            {
                foreach (var scoringInput in inputs)
                    _ = row[scoringInput.Column].Span.Length;
                if (++seen == rows)
                    break;
            }
        }
        split.Stop();
        using var reader = CsvFile.Open(input);
        var chunks = new List<ScoringChunk>();
        ScoringChunk Next() => spare.TryPop(out var reused) ? reused : new ScoringChunk(inputs, chunkRows);
        var chunk = Next();
        var total = 0;
        foreach (var row in reader)
        {
            chunk.AddRow(row, inputs);
            total++;
            if (chunk.IsFull)
            {
                chunks.Add(chunk);
                chunk = Next();
            }
            if (total == rows)
                break;
        }
        if (chunk.Count > 0)
            chunks.Add(chunk);
        _ = bag;
        return (chunks, total, split.Elapsed);
    }

    public static int Time(string package, string input, string output, int runs, int parallelism, int chunkRows)
    {
        var options = new BatchScoringOptions(package, input, output) { Parallelism = parallelism, ChunkRows = chunkRows };
        BatchScorer.Score(options);
        var rates = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var result = BatchScorer.Score(options);
            rates.Add(result.RowsPerSecond);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {i + 1}: {result.Rows} rows in {result.Seconds:0.000} s = {result.RowsPerSecond:0} rows/s"));
        }
        rates.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median\t{rates[rates.Count / 2]:0}\trows/s\tparallelism {parallelism}\tchunk {chunkRows}"));
        return 0;
    }

    public static int Profile(string package, string input, int rows)
    {
        const int chunkRows = 16_384;
        var model = ModelPackage.Read(package);
        using var reader = CsvFile.Open(input);
        var header = CsvFile.ReadHeader(reader, input);
        var declared = model.Card.Signature.Inputs
            .Select(i => new ScoringInput(i.Name, header.ToList().IndexOf(i.Name), ScoringInput.EncodingOf(i.Kind))).ToList();
        using var session = ScoringSession.Load(model.Onnx, package, declared, reader.Spec.Sep.Separator);
        var bag = new DiagnosticBag();
        // Read twice, timing the second pass: the first one includes JIT and the page cache filling.
        var (chunks, total, _) = ReadChunks(input, session.Inputs, bag, rows, chunkRows);
        bag.ThrowIfErrors();
        var read = Stopwatch.StartNew();
        (chunks, total, var splitTime) = ReadChunks(input, session.Inputs, bag, rows, chunkRows, chunks);
        read.Stop();
        var splitOnly = splitTime.TotalSeconds;
        // Best of three after a warm-up, as for Run and formatting below.
        var parseSeconds = double.MaxValue;
        for (var repeat = 0; repeat < 4; repeat++)
        {
            var parseClock = Stopwatch.StartNew();
            foreach (var c in chunks)
            {
                foreach (var texts in c.Texts)
                    texts?.Clear();
                c.Errors.Clear();
                c.ParseCells(session.Inputs, input);
            }
            if (repeat > 0)
                parseSeconds = Math.Min(parseSeconds, parseClock.Elapsed.TotalSeconds);
        }
        foreach (var error in chunks.SelectMany(c => c.Errors))
            bag.Add(error);
        bag.ThrowIfErrors();

        // Warm-up, then the best of three of each phase (one thread, as each chunk is scored in BatchScorer).
        double run = double.MaxValue, format = double.MaxValue;
        for (var repeat = 0; repeat < 4; repeat++)
        {
            var runClock = new Stopwatch();
            var formatClock = new Stopwatch();
            foreach (var c in chunks)
            {
                c.OutputLength = 0;
                runClock.Start();
                using var outputs = session.Run(c);
                runClock.Stop();
                formatClock.Start();
                session.Format(c, outputs);
                formatClock.Stop();
            }
            if (repeat == 0)
                continue;
            run = Math.Min(run, runClock.Elapsed.TotalSeconds);
            format = Math.Min(format, formatClock.Elapsed.TotalSeconds);
        }
        double PerRow(double seconds) => seconds * 1e9 / total;
        var readNs = PerRow(read.Elapsed.TotalSeconds - splitOnly);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"split\t{PerRow(splitOnly):0}\tns/row\t(Sep alone: rows and cells found, nothing converted)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rows\t{total}\tchunks of {chunkRows}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read\t{readNs:0}\tns/row\t(Sep, row text copied and its cells located: the reading thread's share)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"parse\t{PerRow(parseSeconds):0}\tns/row\t(cells into floats and text buffers, on a scoring thread)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run\t{PerRow(run):0}\tns/row\t(ONNX Runtime Run, 1 thread)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"format\t{PerRow(format):0}\tns/row\t(UTF-8 output rows)"));
        var perCore = PerRow(parseSeconds) + PerRow(run) + PerRow(format);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ceiling\t{Environment.ProcessorCount * 1e9 / perCore:0}\trows/s\t({Environment.ProcessorCount} cores / (parse + run + format): the scoring threads' work; the reading thread runs beside them)"));
        return 0;
    }
}
