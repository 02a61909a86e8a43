using System.CommandLine;
using Sada.Core.Benchmarks;
using Sada.Core.Models;
using Sada.Core.Runtime;

namespace Sada.Cli.Commands;

/// <summary>`sada bench`: timings of the method's costly pieces on this machine. One subcommand per piece;
/// add one by writing its Create method and listing it in <see cref="Subcommands"/>.</summary>
public static class BenchCommand
{
    static IEnumerable<Command> Subcommands() => [CreateSba(), CreateStep(), BenchTsneCommand.Create(), BenchPredictCommand.Create(), BenchDataCommand.Create(),
        BenchTrainCommand.Create(), BenchQueueCommand.Create(), BenchBodaCommand.Create()];

    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks of the method's pieces on this machine (Release build recommended).");
        foreach (var sub in Subcommands()) command.Add(sub);
        return command;
    }

    /// <summary>--threads for every subcommand; 0 or absent means the Sada config's TorchThreads.</summary>
    internal static Option<int> ThreadsOption() => new("--threads")
    {
        Description = "Torch intra-op threads (default: Sada:TorchThreads from the config).",
    };

    /// <summary>Loads the backend with the requested (or configured) thread count; null and a message on failure.</summary>
    internal static TorchStatus? StartTorch(int threads, TextWriter error)
    {
        var options = CliSettings.Load();
        var status = TorchRuntime.Initialize(options.Device, threads > 0 ? threads : options.ResolveTorchThreads());
        if (!status.Loaded)
        {
            error.WriteLine($"error: {status.Error}");
            return null;
        }
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
        return status;
    }

    static Command CreateSba()
    {
        var size = new Option<int>("--size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 224 };
        var cells = new Option<int>("--cells") { Description = "Cells per batch (from three made-up centers).", DefaultValueFactory = _ => 24 };
        var k = new Option<int>("--k") { Description = "Stain clusters (views per cell).", DefaultValueFactory = _ => 3 };
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats after one warm-up.", DefaultValueFactory = _ => 5 };
        var threads = ThreadsOption();
        var command = new Command("sba", "Time each phase of the stain-based augmentation.") { size, cells, k, repeats, threads };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            if (StartTorch(result.GetValue(threads), error) is null) return 2;
            var options = new SbaBenchmarkOptions
            {
                Size = result.GetValue(size),
                Cells = result.GetValue(cells),
                K = result.GetValue(k),
                Repeats = result.GetValue(repeats),
            };
            try
            {
                Print(SbaBenchmark.Run(options), output);
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

    static Command CreateStep()
    {
        var size = new Option<int>("--size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 224 };
        var cells = new Option<int>("--cells") { Description = "Cells per step (from three made-up centers).", DefaultValueFactory = _ => 24 };
        var k = new Option<int>("--k") { Description = "Views per cell.", DefaultValueFactory = _ => 3 };
        var backbone = new Option<string>("--backbone") { DefaultValueFactory = _ => "resnet18" };
        backbone.AcceptOnlyFromAmong([.. Backbones.Names]);
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats after one warm-up.", DefaultValueFactory = _ => 3 };
        var threads = ThreadsOption();
        var markdown = BenchTable.MarkdownOption();
        var bare = new Option<bool>("--bare") { Description = "Only the bare backbone's forward and backward (to time the process against a reference)." };
        var channelsLast = new Option<bool>("--channels-last") { Description = "Network and views stored channels-last, in every row." };
        var bf16 = new Option<bool>("--bf16") { Description = "The backbone's forward under bfloat16 autocast, in every row." };
        var quick = new Option<bool>("--quick") { Description = "Only the bare backbone and the whole step, in turn (no augmentation or ablation rows)." };
        var command = new Command("step", "Time a full SADA stage-1 step against the bare backbone's forward and backward.")
        {
            size, cells, k, backbone, repeats, threads, markdown, bare, channelsLast, bf16, quick,
        };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            if (StartTorch(result.GetValue(threads), error) is null) return 2;
            var options = new StepBenchmarkOptions
            {
                Size = result.GetValue(size),
                Cells = result.GetValue(cells),
                K = result.GetValue(k),
                Backbone = result.GetValue(backbone)!,
                Repeats = result.GetValue(repeats),
                BareOnly = result.GetValue(bare),
                ChannelsLast = result.GetValue(channelsLast),
                BFloat16 = result.GetValue(bf16),
                Quick = result.GetValue(quick),
            };
            if (options.BFloat16 && !CpuAutocast.Available)
            {
                error.WriteLine("error: --bf16: this libtorch has no CPU autocast entry points (at::autocast::set_autocast_enabled).");
                return 1;
            }
            try
            {
                var r = StepBenchmark.Run(options);
                output.WriteLine($"Step: {options.Cells} cells, {options.Size} x {options.Size} px, k = {options.K} ({options.Cells * options.K} views), " +
                                 $"{options.Backbone}, {(options.ChannelsLast ? "channels-last" : "NCHW")}{(options.BFloat16 ? ", bfloat16 autocast" : "")}, " +
                                 $"{TorchSharp.torch.get_num_threads()} thread(s), median of {options.Repeats} after 1 warm-up, " +
                                 $"load average {ProcessMemory.LoadAverage()}");
                var table = new BenchTable("what", "median ms", "min ms", "max ms");
                foreach (var p in r.Rows) table.Add(p.Phase, $"{p.MedianMs:F1}", $"{p.MinMs:F1}", $"{p.MaxMs:F1}");
                table.Write(output, result.GetValue(markdown));
                if (r.Ratio is { } ratio)
                {
                    var pairs = r.PairRatios.Order().ToArray();
                    output.WriteLine($"SADA step / bare backbone: {ratio:F3} (medians); pair by pair, timed in turn: median {pairs[pairs.Length / 2]:F3}, " +
                                     $"min {pairs[0]:F3}, max {pairs[^1]:F3} over {pairs.Length}");
                }
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

    static void Print(SbaBenchmarkResult r, TextWriter output)
    {
        var o = r.Options;
        output.WriteLine($"SBA: {o.Cells} cells, {o.Size} x {o.Size} px, k = {o.K} ({o.Cells * o.K} views), {r.Threads} thread(s), median of {o.Repeats} after {o.Warmup} warm-up");
        output.WriteLine($"{"phase",-10} {"median ms",10} {"min ms",10} {"max ms",10}");
        foreach (var p in r.Phases)
            output.WriteLine($"{p.Phase,-10} {p.MedianMs,10:F1} {p.MinMs,10:F1} {p.MaxMs,10:F1}");
        output.WriteLine($"resident memory: {r.RssBeforeBytes / 1048576.0:F0} MB before, {r.RssAfterBytes / 1048576.0:F0} MB after");
    }
}
