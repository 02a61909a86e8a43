using System.CommandLine;
using Sada.Cli.Commands;

namespace Sada.Cli;

/// <summary>The `sada` command: a thin shell over Sada.Core and Sada.Data.</summary>
public static class SadaCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Sada Workbench command-line tool: SADA training, datasets and benchmarks.");
        root.Add(DoctorCommand.Create());
        // `bench` groups the benchmarks; each lives in its own Bench*Command file.
        var bench = new Command("bench", "Benchmarks.");
        bench.Add(BenchTsneCommand.Create());
        root.Add(bench);
        return root;
    }

    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var config = new InvocationConfiguration();
        if (output is not null) config.Output = output;
        if (error is not null) config.Error = error;
        return Build().Parse(args).Invoke(config);
    }
}
