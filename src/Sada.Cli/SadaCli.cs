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
        root.Add(DatasetCommand.Create());
        root.Add(TrainCommand.Create());
        root.Add(TableCommand.Create());
        root.Add(BenchCommand.Create());
        root.Add(WatchCommand.Create());
        root.Add(WorkerCommand.Create());
        return root;
    }

    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var config = new InvocationConfiguration();
        if (output is not null) config.Output = output;
        if (error is not null) config.Error = error;
        // A stopping worker finishes its step and hands its run back to the queue: give it the time before the process ends.
        if (args is ["worker", ..]) config.ProcessTerminationTimeout = WorkerCommand.StopTimeout;
        return Build().Parse(args).Invoke(config);
    }
}
