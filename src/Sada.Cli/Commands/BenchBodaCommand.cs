using System.CommandLine;
using System.Globalization;
using Sada.Core.Benchmarks;

namespace Sada.Cli.Commands;

/// <summary>`sada bench boda`: the cost of one BoDA centroid refresh (every training image through the backbone, no gradients).</summary>
public static class BenchBodaCommand
{
    public static Command Create()
    {
        var images = new Option<int>("--images") { Description = "Training images (three made-up centers).", DefaultValueFactory = _ => 240 };
        var size = new Option<int>("--size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 224 };
        var backbone = new Option<string>("--backbone") { Description = "resnet18 or resnet50.", DefaultValueFactory = _ => "resnet18" };
        var batch = new Option<int>("--batch") { Description = "Eval batch size.", DefaultValueFactory = _ => 16 };
        var repeats = new Option<int>("--repeats") { Description = "Timed refreshes after one warm-up.", DefaultValueFactory = _ => 3 };
        var threads = BenchCommand.ThreadsOption();
        var command = new Command("boda", "Time one BoDA centroid refresh over every training image.") { images, size, backbone, batch, repeats, threads };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            if (result.GetValue(images) < 3 || result.GetValue(repeats) < 1 || result.GetValue(batch) < 1)
            {
                error.WriteLine("error: --images must be at least 3, --repeats and --batch at least 1");
                return 2;
            }
            if (BenchCommand.StartTorch(result.GetValue(threads), error) is not { } torch) return 2;
            var options = new BodaCentroidBenchmarkOptions
            {
                Images = result.GetValue(images), Size = result.GetValue(size), Backbone = result.GetValue(backbone)!,
                BatchSize = result.GetValue(batch), Repeats = result.GetValue(repeats),
            };
            var r = BodaCentroidBenchmark.Run(options);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"BoDA centroid refresh: {options.Images} images, {options.Size} px, {options.Backbone}, batch {options.BatchSize}, {torch.Threads} threads, {options.Repeats} repeats"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"min {r.Refresh.MinMs / 1000:F2} s, median {r.Refresh.MedianMs / 1000:F2} s, max {r.Refresh.MaxMs / 1000:F2} s; {r.MedianMsPerImage:F1} ms per image ({r.ImagesPerSecond:F0} images/s); RSS {r.ResidentBefore / 1048576} -> {r.ResidentAfter / 1048576} MiB"));
            return 0;
        });
        return command;
    }
}
