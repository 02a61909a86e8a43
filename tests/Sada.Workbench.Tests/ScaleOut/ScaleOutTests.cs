using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Sada.Core.Algorithms;
using Sada.Data;
using Sada.Data.Entities;
using Sada.Data.Runs.Events;
using Sada.Tests.Shared;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Tests.ScaleOut;

/// <summary>
/// The deployment of docs/scale-out.md, for real: one PostgreSQL database and one Redis, two web instances that train
/// nothing, three `sada worker` processes, each a separate process started from the built apps.
/// </summary>
public partial class ScaleOutTests
{
    const int Runs = 12;
    static readonly int[] EvaluatedSteps = [0, 4, 8, 11];
    static readonly TimeSpan Patience = TimeSpan.FromMinutes(12);

    [GeneratedRegex(@"Run (\d+): erm holding out")]
    private static partial Regex Claim();

    [PostgresAndRedisFact]
    public async Task Twelve_runs_on_three_workers_complete_once_each_a_killed_workers_run_is_resumed_and_another_instance_streams_every_evaluation()
    {
        var data = Path.Combine(Path.GetTempPath(), "sada-scale-out-" + Guid.NewGuid().ToString("N"));
        var connectionString = TestPostgres.CreateDatabase();
        var database = new SadaDatabaseOptions { Provider = SadaDatabaseOptions.Postgres, ConnectionString = connectionString };
        var common = new Dictionary<string, string>
        {
            ["Sada__DataDirectory"] = data,
            ["Sada__Database__Provider"] = "postgres",
            ["Sada__Database__ConnectionString"] = connectionString,
            ["Sada__Redis__Configuration"] = TestRedis.Configuration,
            ["Sada__Redis__ChannelPrefix"] = "sada-test-" + Guid.NewGuid().ToString("N"),
            ["Sada__TorchThreads"] = "1",
            ["Sada__Device"] = "cpu",
            ["Sada__Accounts__AdminPassword"] = TestAccounts.Password,
            ["Sada__Synthetic__Enabled"] = "false",
            ["Sada__Worker__PollInterval"] = "00:00:00.200",
            ["Sada__Worker__HeartbeatInterval"] = "00:00:00.500",
            // Long enough that a live worker on a loaded machine never looks dead; short enough for the test.
            ["Sada__Worker__StaleAfter"] = "00:00:10",
            ["Sada__Worker__ProgressInterval"] = "00:00:01",
            ["Sada__Worker__Embedding__Enabled"] = "false",
        };
        var processes = new List<ChildProcess>();
        try
        {
            int portA = FreePort(), portB = FreePort();
            var webA = Start(processes, "web-a", "Sada.Workbench.dll", [], common, new()
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{portA}", ["Sada__Worker__Enabled"] = "false",
                ["Sada__Synthetic__Enabled"] = "true", ["Sada__Synthetic__Centers"] = "2", ["Sada__Synthetic__PerCenter"] = "12", ["Sada__Synthetic__Size"] = "32",
            });
            await WaitHealthyAsync(portA, webA);
            // Started after A has migrated and created the first admin: B finds both done.
            var webB = Start(processes, "web-b", "Sada.Workbench.dll", [], common, new()
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{portB}", ["Sada__Worker__Enabled"] = "false",
            });
            await WaitHealthyAsync(portB, webB);
            await WaitUntilAsync(() => { using var db = Open(database); return db.CellImages.Count() == 24; }, "the synthetic dataset", processes);

            var ids = Queue(database);
            int watched = ids[^1];
            // A hub client on web B, which no worker talks to, following the last run before any worker starts.
            var token = await global::Sada.Cli.Commands.WorkbenchSignIn.TokenAsync(new Uri($"http://127.0.0.1:{portB}/"), "admin@sada.local",
                TestAccounts.Password, CancellationToken.None);
            var live = new ConcurrentQueue<MetricMessage>();
            var watchedDone = new TaskCompletionSource<RunStatusMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var hub = new HubConnectionBuilder()
                .WithUrl(new Uri($"http://127.0.0.1:{portB}{RunsHub.Path}"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
                .Build();
            hub.On<MetricMessage>(nameof(IRunsClient.Evaluation), m => { if (m.RunId == watched) live.Enqueue(m); });
            hub.On<RunStatusMessage>(nameof(IRunsClient.StatusChanged), s => { if (s.RunId == watched && s.IsFinished) watchedDone.TrySetResult(s); });
            await hub.StartAsync();
            var history = await hub.InvokeAsync<RunHistoryMessage>(nameof(RunsHub.SubscribeRun), watched);
            Assert.Empty(history.Metrics);

            var workers = Enumerable.Range(1, 3)
                .Select(i => Start(processes, $"w{i}", "sada.dll", ["worker", "--worker-id", $"w{i}"], common, []))
                .ToList();

            // SIGKILL w1 in the middle of a run, after its first evaluation (and checkpoint) is stored.
            int killed = 0;
            await WaitUntilAsync(() =>
            {
                using var db = Open(database);
                killed = db.Runs.Where(r => r.Status == RunStatus.Running && r.WorkerId == "w1" && db.RunMetrics.Any(m => m.RunId == r.Id))
                    .Select(r => r.Id).FirstOrDefault();
                return killed != 0;
            }, "w1 to be mid-run", processes);
            workers[0].KillHard();

            await WaitUntilAsync(() => { using var db = Open(database); return db.Runs.Count(r => r.Status == RunStatus.Completed) == Runs; },
                $"all {Runs} runs to complete", processes, Patience);
            var status = await watchedDone.Task.WaitAsync(TimeSpan.FromSeconds(30));

            using (var db = Open(database))
            {
                var runs = db.Runs.AsNoTracking().OrderBy(r => r.Id).ToList();
                Assert.All(runs, r => Assert.Equal(RunStatus.Completed, r.Status));
                foreach (var run in runs)
                    Assert.Equal(EvaluatedSteps, db.RunMetrics.Where(m => m.RunId == run.Id).OrderBy(m => m.Id).Select(m => m.Step).ToList());
                var resumedBy = runs.Single(r => r.Id == killed).WorkerId;
                Assert.True(resumedBy is "w2" or "w3", $"run {killed} was finished by {resumedBy}");
                Assert.Contains(db.RunLogLines.Where(l => l.RunId == killed).Select(l => l.Message).ToList(), m => m.StartsWith("Resumed from", StringComparison.Ordinal));
            }
            // Claims, from the workers' own logs: each run once, the killed one twice (by w1, then by its resumer).
            var claims = workers.SelectMany(w => Claim().Matches(w.Output).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)))
                .GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(ids.Order(), claims.Keys.Order());
            Assert.All(claims, c => Assert.Equal(c.Key == killed ? 2 : 1, c.Value));
            Assert.All(workers.Skip(1), w => Assert.Contains("Run worker w", w.Output, StringComparison.Ordinal));

            // Every evaluation of the watched run came live to web B, in order, none missing, none twice.
            Assert.Equal("Completed", status.Status);
            Assert.Equal(EvaluatedSteps, live.Select(m => m.Step));

            // SIGTERM: the surviving workers stop cleanly.
            foreach (var worker in workers.Skip(1)) Assert.Equal(0, await worker.StopAsync(TimeSpan.FromSeconds(90)));
        }
        finally
        {
            foreach (var process in processes) process.Dispose();
            TestPostgres.DropDatabase(connectionString);
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    static ChildProcess Start(List<ChildProcess> processes, string name, string assembly, string[] arguments,
        Dictionary<string, string> common, Dictionary<string, string> own)
    {
        var environment = new Dictionary<string, string>(common);
        foreach (var (key, value) in own) environment[key] = value;
        var process = ChildProcess.Start(name, assembly, arguments, environment);
        processes.Add(process);
        return process;
    }

    static SadaDbContext Open(SadaDatabaseOptions database) => SadaDataServices.CreateContext(database, "unused.db");

    static int[] Queue(SadaDatabaseOptions database)
    {
        var config = new AlgorithmConfig
        {
            Algorithm = "erm", Backbone = "resnet18", Init = BackboneInit.Scratch, ImageSize = 32, BatchPerCenter = 4, Steps = 12, Stage1Steps = 0, EvalEvery = 4,
        };
        using var db = Open(database);
        var dataset = db.Datasets.Include(d => d.Centers).Single();
        var runs = Enumerable.Range(0, Runs).Select(i => new Run
        {
            DatasetId = dataset.Id, HoldoutCenter = dataset.Centers.OrderBy(c => c.Name).Last().Name, Algorithm = config.Algorithm,
            ConfigJson = config.ToJson(), Seed = i, Status = RunStatus.Queued, CreatedAt = DateTime.UtcNow,
        }).ToList();
        db.Runs.AddRange(runs);
        db.SaveChanges();
        return runs.Select(r => r.Id).ToArray();
    }

    static async Task WaitHealthyAsync(int port, ChildProcess process)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await WaitUntilAsync(() =>
        {
            try { return http.GetAsync(new Uri($"http://127.0.0.1:{port}/health")).GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, process.Name + " to answer /health", [process], TimeSpan.FromMinutes(3));
    }

    static async Task WaitUntilAsync(Func<bool> condition, string what, IReadOnlyList<ChildProcess> processes, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? TimeSpan.FromMinutes(3));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out waiting for {what}.\n" + string.Join("\n", processes.Select(p => $"==== {p.Name} (exited: {p.HasExited})\n{Tail(p.Output)}")));
            await Task.Delay(200);
        }
    }

    static string Tail(string output) => output.Length <= 6000 ? output : output[^6000..];

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
