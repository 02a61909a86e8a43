using System.CommandLine;
using Sada.Core.Algorithms;
using Sada.Core.Benchmarks;
using Sada.Core.Models;
using Sada.Core.Runtime;

namespace Sada.Cli.Commands;

/// <summary>`sada bench data`: a synthetic set on disk through the bounded cache and the pipeline, with peak memory and step wait.</summary>
public static class BenchDataCommand
{
    public static Command Create()
    {
        var images = new Option<int>("--images") { Description = "Images in the synthetic set (over all centers).", DefaultValueFactory = _ => 60_000 };
        var size = new Option<int>("--size") { Description = "Model image size in pixels.", DefaultValueFactory = _ => 96 };
        var source = new Option<int>("--source-size") { Description = "Side of the generated images (default: --size)." };
        var centers = new Option<int>("--centers") { Description = "Centers in the set (the first is held out).", DefaultValueFactory = _ => 4 };
        var distinct = new Option<int>("--distinct") { Description = "Images actually drawn; the others are copies of them, read and decoded as files of their own.", DefaultValueFactory = _ => 4_000 };
        var dir = new Option<string?>("--dir") { Description = "Folder for the set, reused when it already holds it (default: a temporary folder, deleted after)." };
        var cache = new Option<int?>("--cache-mb") { Description = "Image cache budget in MiB (default: Sada:Data:CacheMegabytes)." };
        var pipelineSteps = new Option<int>("--pipeline-steps") { Description = "Batches through the pipeline alone.", DefaultValueFactory = _ => 40 };
        var steps = new Option<int>("--steps") { Description = "Timed training steps with the real backbone (0: none).", DefaultValueFactory = _ => 10 };
        var algorithm = new Option<string>("--algorithm") { DefaultValueFactory = _ => "erm" };
        algorithm.AcceptOnlyFromAmong([.. AlgorithmRegistry.Names]);
        var backbone = new Option<string>("--backbone") { DefaultValueFactory = _ => "resnet18" };
        backbone.AcceptOnlyFromAmong([.. Backbones.Names]);
        var batch = new Option<int>("--batch") { Description = "Cells per training center per step.", DefaultValueFactory = _ => 32 };
        var prefetch = new Option<int>("--prefetch") { Description = "Batches made ahead while a step trains.", DefaultValueFactory = _ => 2 };
        var threads = BenchCommand.ThreadsOption();
        var markdown = BenchTable.MarkdownOption();
        var command = new Command("data", "Generate a synthetic multi-center set on disk, then time decoding, the batch pipeline and the steps' wait; print peak RSS.")
        {
            images, size, source, centers, distinct, dir, cache, pipelineSteps, steps, algorithm, backbone, batch, prefetch, threads, markdown,
        };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            if (BenchCommand.StartTorch(result.GetValue(threads), error) is null) return 2;
            var options = new DataBenchmarkOptions
            {
                Images = result.GetValue(images), Size = result.GetValue(size), SourceSize = result.GetValue(source), Centers = result.GetValue(centers), Distinct = result.GetValue(distinct),
                Folder = result.GetValue(dir), CacheMegabytes = result.GetValue(cache) ?? CliSettings.Load().Data.CacheMegabytes,
                PipelineSteps = result.GetValue(pipelineSteps), Steps = result.GetValue(steps), Algorithm = result.GetValue(algorithm)!,
                Backbone = result.GetValue(backbone)!, BatchPerCenter = result.GetValue(batch), Prefetch = result.GetValue(prefetch),
            };
            try
            {
                var r = DataBenchmark.Run(options, line => error.WriteLine($"  {line}"));
                Print(r, output, result.GetValue(markdown));
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

    static void Print(DataBenchmarkResult r, TextWriter output, bool markdown)
    {
        var o = r.Options;
        output.WriteLine($"Data: {r.CachedImages:N0} images ({o.Centers} centers, generated at {(o.SourceSize > 0 ? o.SourceSize : o.Size)} px), model size {o.Size} px, " +
                         $"cache {o.CacheMegabytes} MiB, {r.Threads} thread(s), load average {r.LoadAverage}");
        output.WriteLine();
        var phases = new BenchTable("phase", "images", "seconds", "images/s");
        foreach (var p in r.Phases) phases.Add(p.Phase, $"{p.Images:N0}", $"{p.Seconds:F1}", $"{p.ImagesPerSecond:N0}");
        phases.Write(output, markdown);
        output.WriteLine();
        output.WriteLine($"cache: {r.KeptImages:N0} of {r.CachedImages:N0} images kept, {r.CacheBytes / 1048576.0:F0} MiB " +
                         $"({r.BytesPer10000 / 1048576.0:F0} MiB per 10,000 kept images); {r.DecodedAgain:N0} decoded again in all");
        if (r.Step is { } step && r.Wait is { } wait)
        {
            output.WriteLine();
            var steps = new BenchTable($"per step ({o.Algorithm}, {o.Backbone}, {o.Steps} steps)", "median ms", "min ms", "max ms");
            steps.Add("training step (with its wait)", $"{step.MedianMs:F1}", $"{step.MinMs:F1}", $"{step.MaxMs:F1}");
            steps.Add("wait for the batch", $"{wait.MedianMs:F1}", $"{wait.MinMs:F1}", $"{wait.MaxMs:F1}");
            steps.Write(output, markdown);
            output.WriteLine();
            output.WriteLine($"step wait: {r.WaitShare:P2} of step time (median)");
        }
        output.WriteLine($"resident after {string.Join(", ", r.Resident.Select(x => $"{x.After}: {x.Bytes / 1048576} MB"))}");
        output.WriteLine($"managed heap at the end: {r.ManagedHeapBytes / 1048576} MB (of which the kept images {r.CacheBytes / 1048576} MiB)");
        output.WriteLine($"malloc: {(NativeHeap.Applied.Count == 0 ? "glibc's defaults" : string.Join(", ", NativeHeap.Applied))}");
        output.WriteLine($"peak RSS: {r.PeakResidentBytes / 1048576} MB");
    }
}
