using System.CommandLine;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Sada.Data.Runs.Events;

namespace Sada.Cli.Commands;

/// <summary>
/// `sada watch RUN`: a client of the workbench's /hubs/runs. Prints what is stored of the run (status, evaluations,
/// log lines, t-SNE), then the live stream (progress too), until the run ends. Exit code 0 when it completed, 1 when it
/// failed or was cancelled, 2 when the workbench cannot be reached or the run does not exist.
/// </summary>
public static class WatchCommand
{
    public static Command Create()
    {
        var run = new Argument<int>("RUN") { Description = "The run's id." };
        var url = new Option<string>("--url") { Description = "The workbench's address.", DefaultValueFactory = _ => "http://localhost:5000" };
        var email = new Option<string?>("--email")
        {
            Description = "Sign in with this account (any role); the password comes from the SADA_PASSWORD environment variable.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SADA_EMAIL"),
        };
        var command = new Command("watch", "Follow a run of the workbench: status, evaluations, progress and logs until it ends.") { run, url, email };
        command.SetAction(async (result, cancellation) =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            try
            {
                var workbench = new Uri(result.GetValue(url)!.TrimEnd('/') + "/");
                if (result.GetValue(email) is not { Length: > 0 } account)
                {
                    error.WriteLine("error: the workbench needs a signed-in account: pass --email (or set SADA_EMAIL) and set SADA_PASSWORD");
                    return 2;
                }
                var token = await WorkbenchSignIn.TokenAsync(workbench, account, Environment.GetEnvironmentVariable("SADA_PASSWORD") ?? "", cancellation);
                return await WatchAsync(new Uri(workbench, RunsHubContract.Path.TrimStart('/')), result.GetValue(run), output,
                    o => o.AccessTokenProvider = () => Task.FromResult<string?>(token), cancellation);
            }
            catch (WorkbenchSignInException e)
            {
                error.WriteLine($"error: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is HttpRequestException or HubException or InvalidOperationException or UriFormatException)
            {
                error.WriteLine($"error: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>Watches <paramref name="runId"/> on the hub at <paramref name="hub"/>; <paramref name="configure"/> sets the
    /// connection (a test passes its in-memory server's handler).</summary>
    public static async Task<int> WatchAsync(Uri hub, int runId, TextWriter output, Action<HttpConnectionOptions>? configure, CancellationToken cancellation)
    {
        await using var connection = new HubConnectionBuilder().WithUrl(hub, o => configure?.Invoke(o)).Build();
        // The page's merge: live events held until the history is in, and what comes both ways passed on once.
        var feed = new RunFeed(runId);
        var printer = new RunPrinter(runId, output);
        feed.Received += printer.Print;
        connection.On<RunStatusMessage>(nameof(IRunsClient.StatusChanged), feed.OnStatus);
        connection.On<MetricMessage>(nameof(IRunsClient.Evaluation), feed.OnEvaluation);
        connection.On<ProgressMessage>(nameof(IRunsClient.Progress), feed.OnProgress);
        connection.On<LogMessage>(nameof(IRunsClient.Log), feed.OnLog);
        connection.On<EmbeddingMessage>(nameof(IRunsClient.Embedding), feed.OnEmbedding);
        connection.On<StepLossesMessage>(nameof(IRunsClient.StepLosses), feed.OnStepLosses);
        connection.Closed += e =>
        {
            printer.Disconnected(e?.Message ?? "the workbench closed the connection");
            return Task.CompletedTask;
        };
        await connection.StartAsync(cancellation);
        feed.ApplyHistory(await connection.InvokeAsync<RunHistoryMessage>(RunsHubContract.SubscribeRun, runId, cancellation));
        var finished = await printer.Finished.WaitAsync(cancellation);
        return finished switch { "Completed" => 0, "Disconnected" => 2, _ => 1 };
    }
}
