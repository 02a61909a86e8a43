using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

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
                return await WatchAsync(new Uri(workbench, "hubs/runs"), result.GetValue(run), output,
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
        var printer = new Printer(runId, output);
        connection.On<JsonElement>("StatusChanged", printer.Status);
        connection.On<JsonElement>("Evaluation", printer.Evaluation);
        connection.On<JsonElement>("Progress", printer.Progress);
        connection.On<JsonElement>("Log", printer.Log);
        connection.On<JsonElement>("Embedding", printer.Embedding);
        connection.Closed += e =>
        {
            printer.Disconnected(e?.Message ?? "the workbench closed the connection");
            return Task.CompletedTask;
        };
        await connection.StartAsync(cancellation);
        var history = await connection.InvokeAsync<JsonElement>("SubscribeRun", runId, cancellation);
        printer.History(history);
        var finished = await printer.Finished.WaitAsync(cancellation);
        return finished switch { "Completed" => 0, "Disconnected" => 2, _ => 1 };
    }

    /// <summary>
    /// Live events may arrive before the history (the hub joins the group first): they are held until it is printed, and
    /// what comes both ways is printed once (metrics by step, log lines and t-SNE by id).
    /// </summary>
    sealed class Printer(int runId, TextWriter output)
    {
        readonly object _gate = new();
        readonly HashSet<string> _seen = [];
        readonly List<Action> _held = [];
        bool _hasHistory;
        readonly TaskCompletionSource<string> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string> Finished => _finished.Task;

        public void Disconnected(string reason)
        {
            lock (_gate)
                if (_finished.TrySetResult("Disconnected")) output.WriteLine($"disconnected before the run ended: {reason}");
        }

        public void History(JsonElement h)
        {
            lock (_gate)
            {
                _hasHistory = true;
                ShowStatus(h.GetProperty("status"));
                foreach (var l in h.GetProperty("logs").EnumerateArray()) ShowLog(l);
                foreach (var m in h.GetProperty("metrics").EnumerateArray()) ShowEvaluation(m);
                foreach (var e in h.GetProperty("embeddings").EnumerateArray()) ShowEmbedding(e);
                foreach (var held in _held) held();
                _held.Clear();
            }
        }

        public void Status(JsonElement s) => Live(s, ShowStatus);
        public void Evaluation(JsonElement m) => Live(m, ShowEvaluation);
        public void Log(JsonElement l) => Live(l, ShowLog);
        public void Embedding(JsonElement e) => Live(e, ShowEmbedding);
        public void Progress(JsonElement p) => Live(p, ShowProgress);

        void Live(JsonElement message, Action<JsonElement> show)
        {
            if (message.GetProperty("runId").GetInt32() != runId) return;
            lock (_gate)
            {
                if (_hasHistory) show(message);
                else _held.Add(() => show(message));
            }
        }

        void ShowStatus(JsonElement s)
        {
            if (_finished.Task.IsCompleted) return;
            var status = s.GetProperty("status").GetString()!;
            var error = s.GetProperty("error").ValueKind == JsonValueKind.String ? $": {s.GetProperty("error").GetString()}" : "";
            var device = s.GetProperty("device").ValueKind == JsonValueKind.String ? $" on {s.GetProperty("device").GetString()}" : "";
            output.WriteLine($"run {runId}: {status}{device}, step {s.GetProperty("step").GetInt32()}/{s.GetProperty("totalSteps").GetInt32()}{error}");
            if (status is "Completed" or "Failed" or "Cancelled") _finished.TrySetResult(status);
        }

        static readonly string[] LossKeys = ["lossTotal", "lossLa", "lossContrastive", "lossCe"];

        void ShowEvaluation(JsonElement m)
        {
            int step = m.GetProperty("step").GetInt32();
            if (!_seen.Add($"metric:{step}")) return;
            var losses = string.Join(" ", LossKeys
                .Where(k => m.GetProperty(k).ValueKind == JsonValueKind.Number)
                .Select(k => $"{k[4..].ToLowerInvariant()} {m.GetProperty(k).GetDouble().ToString("F4", CultureInfo.InvariantCulture)}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"eval step {step} (stage {m.GetProperty("stage").GetInt32()}): {losses}; held-out acc {Percent(m, "heldOutAccuracy")} F1-macro {Percent(m, "heldOutF1Macro")}; validation {Percent(m, "validationAccuracy")}"));
        }

        void ShowProgress(JsonElement p)
        {
            var eta = p.GetProperty("etaSeconds").ValueKind == JsonValueKind.Number ? $", ETA {TimeSpan.FromSeconds(Math.Round(p.GetProperty("etaSeconds").GetDouble())):g}" : "";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step {p.GetProperty("step").GetInt32() + 1}/{p.GetProperty("totalSteps").GetInt32()} (stage {p.GetProperty("stage").GetInt32()}), {p.GetProperty("imagesPerSecond").GetDouble():F0} images/s{eta}"));
        }

        void ShowLog(JsonElement l)
        {
            if (!_seen.Add($"log:{l.GetProperty("id").GetInt64()}")) return;
            output.WriteLine($"[{l.GetProperty("level").GetString()}] {l.GetProperty("message").GetString()}");
        }

        void ShowEmbedding(JsonElement e)
        {
            if (!_seen.Add($"tsne:{e.GetProperty("id").GetInt64()}")) return;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"t-SNE '{e.GetProperty("label").GetString()}' at step {e.GetProperty("step").GetInt32()}: {e.GetProperty("points").GetArrayLength()} cells, center k-NN accuracy {e.GetProperty("mixingScore").GetDouble():P1}, KL {e.GetProperty("klDivergence").GetDouble():F3}"));
        }

        static string Percent(JsonElement m, string key) =>
            m.GetProperty(key).ValueKind == JsonValueKind.Number ? m.GetProperty(key).GetDouble().ToString("P1", CultureInfo.InvariantCulture) : "-";
    }
}
