using System.CommandLine;
using Sada.Core.Benchmarks;
using Sada.Core.Runtime;

namespace Sada.Cli.Commands;

/// <summary>`sada bench tsne`: times t-SNE on planted clusters and prints a table (seconds, exact KL, memory).</summary>
public static class BenchTsneCommand
{
    public static Command Create()
    {
        var n = new Option<int>("--n") { Description = "Number of points.", DefaultValueFactory = _ => 1500 };
        var dim = new Option<int>("--dim") { Description = "Feature dimensions.", DefaultValueFactory = _ => 512 };
        var clusters = new Option<int>("--clusters") { Description = "Planted clusters.", DefaultValueFactory = _ => 10 };
        var iterations = new Option<int>("--iterations") { Description = "t-SNE iterations.", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the data.", DefaultValueFactory = _ => 0 };
        var repeat = new Option<int>("--repeat") { Description = "Barnes-Hut runs, best and median reported (the exact reference runs once).", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Torch and Barnes-Hut threads.", DefaultValueFactory = _ => 2 };
        var exact = new Option<bool>("--exact") { Description = "Also run the exact O(N²) reference (default: only below 2,000 points)." };
        var noExact = new Option<bool>("--no-exact") { Description = "Skip the exact reference." };

        var command = new Command("tsne", "Benchmark t-SNE (Barnes-Hut and exact) on clustered points.")
        {
            n, dim, clusters, iterations, seed, repeat, threads, exact, noExact,
        };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var torch = TorchRuntime.Initialize("cpu", result.GetValue(threads));
            if (!torch.Loaded)
            {
                result.InvocationConfiguration.Error.WriteLine($"error: {torch.Error}");
                return 2;
            }
            int count = result.GetValue(n);
            var options = new TsneBenchmarkOptions
            {
                Count = count,
                Dimensions = result.GetValue(dim),
                Clusters = result.GetValue(clusters),
                Iterations = result.GetValue(iterations),
                Seed = result.GetValue(seed),
                Repeats = Math.Max(1, result.GetValue(repeat)),
                Exact = !result.GetValue(noExact) && (result.GetValue(exact) || count < 2000),
            };
            output.WriteLine($"t-SNE on {options.Count} points, {options.Dimensions}-d, {options.Clusters} clusters, {options.Iterations} iterations, {torch.Threads} threads");
            var rows = TsneBenchmark.Run(options, line => output.WriteLine("  " + line));
            output.WriteLine();
            output.WriteLine($"{"N",6} {"method",-6} {"runs",4} {"best s",8} {"median s",9} {"CPU s",7} {"KL exact",9} {"iters",6} {"cluster kNN",11} {"RSS before",11} {"RSS after",10}");
            foreach (var r in rows)
                output.WriteLine($"{r.Count,6} {r.Method,-6} {r.Runs,4} {r.BestSeconds,8:F2} {r.MedianSeconds,9:F2} {r.BestCpuSeconds,7:F2} {r.Kl,9:F4} {r.Iterations,6} {r.ClusterAccuracy,11:F3} {Mib(r.ResidentBeforeBytes),11} {Mib(r.ResidentAfterBytes),10}");
            return 0;
        });
        return command;
    }

    static string Mib(long bytes) => $"{bytes / 1048576} MiB";
}
