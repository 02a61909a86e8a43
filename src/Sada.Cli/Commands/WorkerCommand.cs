using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Sada.Workbench.Hosting;

namespace Sada.Cli.Commands;

/// <summary>
/// `sada worker`: trains queued runs from the configured database without a web server, until Ctrl-C or SIGTERM. Run one
/// per GPU, on as many machines as share the database (PostgreSQL) and the data directory.
/// </summary>
public static class WorkerCommand
{
    /// <summary>How long a worker may take to stop after SIGTERM (the current training step, then handing its run back).</summary>
    public static TimeSpan StopTimeout { get; } = TimeSpan.FromSeconds(60);

    public static Command Create()
    {
        var device = new Option<string?>("--device") { Description = "auto, cpu, cuda or cuda:N (default: Sada:Device)" };
        var workerId = new Option<string?>("--worker-id") { Description = "This worker's name in the runs, stable across restarts (default: Sada:Worker:WorkerId, else <machine>:worker)" };
        var command = new Command("worker", "Train queued runs from the configured database, headless, until Ctrl-C / SIGTERM") { device, workerId };
        command.SetAction(async (parse, cancellation) =>
        {
            var settings = new Dictionary<string, string?>();
            if (parse.GetValue(device) is { } d) settings["Sada:Device"] = d;
            if (parse.GetValue(workerId) is { } w) settings["Sada:Worker:WorkerId"] = w;
            try
            {
                using var host = WorkerHost.Build(settings, StopTimeout);
                // The host's console lifetime turns SIGTERM and Ctrl-C into a graceful stop: the worker hands its run back.
                await host.RunAsync(cancellation);
                return 0;
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
