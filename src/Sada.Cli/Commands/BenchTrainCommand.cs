using System.CommandLine;
using Sada.Core.Algorithms;
using Sada.Core.Benchmarks;
using Sada.Core.Models;

namespace Sada.Cli.Commands;

/// <summary>`sada bench train`: a whole short training run end to end, with images per second and each phase's share of the time.</summary>
public static class BenchTrainCommand
{
    public static Command Create()
    {
        var images = new Option<int>("--images") { Description = "Images in the synthetic set (over all centers).", DefaultValueFactory = _ => 2_000 };
        var size = new Option<int>("--size") { Description = "Model image size in pixels.", DefaultValueFactory = _ => 64 };
        var source = new Option<int>("--source-size") { Description = "Side of the generated images (default: --size)." };
        var centers = new Option<int>("--centers") { Description = "Centers in the set (the first is held out).", DefaultValueFactory = _ => 4 };
        var distinct = new Option<int>("--distinct") { Description = "Images actually drawn; the others are copies of them, read and decoded as files of their own.", DefaultValueFactory = _ => 4_000 };
        var dir = new Option<string?>("--dir") { Description = "Folder for the set, reused when it already holds it (default: a temporary folder, deleted after)." };
        var cache = new Option<int?>("--cache-mb") { Description = "Image cache budget in MiB (default: Sada:Data:CacheMegabytes)." };
        var algorithm = new Option<string>("--algorithm") { DefaultValueFactory = _ => "sada" };
        algorithm.AcceptOnlyFromAmong([.. AlgorithmRegistry.Names]);
        var backbone = new Option<string>("--backbone") { DefaultValueFactory = _ => "resnet18" };
        backbone.AcceptOnlyFromAmong([.. Backbones.Names]);
        var steps = new Option<int>("--steps") { Description = "Training steps (half of them stage 1).", DefaultValueFactory = _ => 30 };
        var evalEvery = new Option<int>("--eval-every") { Description = "Steps between evaluations.", DefaultValueFactory = _ => 15 };
        var batch = new Option<int>("--batch") { Description = "Cells per training center per step.", DefaultValueFactory = _ => 8 };
        var prefetch = new Option<int>("--prefetch") { Description = "Batches made ahead while a step trains.", DefaultValueFactory = _ => 2 };
        var repeats = new Option<int>("--repeats") { Description = "Whole runs, for min, median and max.", DefaultValueFactory = _ => 1 };
        var threads = BenchCommand.ThreadsOption();
        var markdown = BenchTable.MarkdownOption();
        var command = new Command("train", "Time a whole short training run on a synthetic set: decoding, pipeline, steps, evaluations; share of time per phase.")
        {
            images, size, source, centers, distinct, dir, cache, algorithm, backbone, steps, evalEvery, batch, prefetch, repeats, threads, markdown,
        };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            if (BenchCommand.StartTorch(result.GetValue(threads), error) is null) return 2;
            var options = new TrainBenchmarkOptions
            {
                Images = result.GetValue(images), Size = result.GetValue(size), SourceSize = result.GetValue(source), Centers = result.GetValue(centers), Distinct = result.GetValue(distinct),
                Folder = result.GetValue(dir), CacheMegabytes = result.GetValue(cache) ?? CliSettings.Load().Data.CacheMegabytes,
                Algorithm = result.GetValue(algorithm)!, Backbone = result.GetValue(backbone)!, Steps = result.GetValue(steps),
                EvalEvery = result.GetValue(evalEvery), BatchPerCenter = result.GetValue(batch), Prefetch = result.GetValue(prefetch),
                Repeats = result.GetValue(repeats),
            };
            try
            {
                var r = TrainBenchmark.Run(options, line => error.WriteLine($"  {line}"));
                var o = r.Options;
                output.WriteLine($"Train: {r.Images:N0} images ({o.Centers} centers), {o.Algorithm}, {o.Backbone}, {o.Size} px, {o.Steps} steps of " +
                                 $"{o.BatchPerCenter} cells per center, evaluation every {o.EvalEvery}, {o.Repeats} run(s), {r.Threads} thread(s), load average {r.LoadAverage}");
                output.WriteLine();
                var table = new BenchTable("phase", "median s", "min s", "max s", "share");
                foreach (var p in r.Phases)
                    table.Add(p.Phase, $"{p.Seconds.Median:F2}", $"{p.Seconds.Min:F2}", $"{p.Seconds.Max:F2}", $"{p.Share:P1}");
                table.Write(output, result.GetValue(markdown));
                output.WriteLine();
                output.WriteLine($"training images/s: {r.TrainImagesPerSecond.Median:F1} (min {r.TrainImagesPerSecond.Min:F1}, max {r.TrainImagesPerSecond.Max:F1})");
                output.WriteLine($"held-out accuracy at the last step: {r.HeldOutAccuracy:P1}");
                output.WriteLine($"peak RSS: {r.PeakResidentBytes / 1048576} MB");
                return 0;
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
