using Sada.Core.Models;
using System.CommandLine;
using Sada.Core.Benchmarks;

namespace Sada.Cli.Commands;

/// <summary>`sada bench predict`: what the Predict page and the review gallery cost on this machine.</summary>
public static class BenchPredictCommand
{
    public static Command Create()
    {
        var size = new Option<int>("--size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 224 };
        var backbone = new Option<string>("--backbone") { DefaultValueFactory = _ => "resnet18" };
        backbone.AcceptOnlyFromAmong([.. Backbones.Names]);
        var cells = new Option<int>("--cells") { Description = "Cells classified together (the gallery's case).", DefaultValueFactory = _ => 256 };
        var batch = new Option<int>("--batch") { Description = "Cells per forward pass when classifying many.", DefaultValueFactory = _ => 16 };
        var repeats = new Option<int>("--repeats") { Description = "Timed single-cell predictions after one warm-up.", DefaultValueFactory = _ => 20 };
        var threads = BenchCommand.ThreadsOption();
        var command = new Command("predict", "Time loading a run's weights, predicting one cell, and classifying many.")
        {
            size, backbone, cells, batch, repeats, threads,
        };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            if (BenchCommand.StartTorch(result.GetValue(threads), error) is null) return 2;
            var options = new PredictBenchmarkOptions
            {
                Size = result.GetValue(size), Backbone = result.GetValue(backbone)!, Cells = result.GetValue(cells), Batch = result.GetValue(batch), Repeats = result.GetValue(repeats),
            };
            try
            {
                var r = PredictBenchmark.Run(options);
                output.WriteLine($"Predict: {r.Options.Backbone}, {r.Options.Size} x {r.Options.Size} px, {r.Threads} thread(s)");
                output.WriteLine($"load weights        {r.LoadMs,10:F1} ms");
                output.WriteLine($"one cell (median)   {r.OneCell.MedianMs,10:F1} ms   (min {r.OneCell.MinMs:F1}, max {r.OneCell.MaxMs:F1}, {r.Options.Repeats} repeats)");
                output.WriteLine($"{r.Options.Cells} cells together {r.BatchSeconds,8:F2} s   ({r.CellsPerSecond:F0} cells/s, {r.Options.Batch} per pass)");
                output.WriteLine($"resident memory: {r.ResidentBefore / 1048576.0:F0} MB before, {r.ResidentAfter / 1048576.0:F0} MB after");
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
