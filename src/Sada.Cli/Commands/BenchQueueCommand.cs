using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sada.Data;
using Sada.Data.Entities;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;
using Sada.Workbench.Runs;
using StackExchange.Redis;

namespace Sada.Cli.Commands;

/// <summary>
/// `sada bench queue`: claims per second with 1, 4 and 16 workers claiming at once, on SQLite and on PostgreSQL, each on a
/// database of its own (created, then dropped); and the delay of a run event from its publish in one process to its
/// delivery to the pages of another over Redis (median and p95).
/// </summary>
public static class BenchQueueCommand
{
    static readonly int[] Workers = [1, 4, 16];

    public static Command Create()
    {
        var runs = new Option<int>("--runs") { Description = "Queued runs claimed per measurement.", DefaultValueFactory = _ => 500 };
        var postgres = new Option<string?>("--postgres") { Description = "A PostgreSQL connection string of a role that may create databases (default: Sada:Database:ConnectionString when the provider is postgres)." };
        var redis = new Option<string?>("--redis") { Description = "A Redis configuration, e.g. localhost:6379 (default: Sada:Redis:Configuration)." };
        var messages = new Option<int>("--messages") { Description = "Events timed over Redis.", DefaultValueFactory = _ => 500 };
        var command = new Command("queue", "Claims per second on SQLite and PostgreSQL; run-event delay over Redis.") { runs, postgres, redis, messages };
        command.SetAction(async (result, cancellation) =>
        {
            var output = result.InvocationConfiguration.Output;
            int count = result.GetValue(runs);
            if (count < 16 || result.GetValue(messages) < 10)
            {
                await result.InvocationConfiguration.Error.WriteLineAsync("error: --runs must be at least 16 and --messages at least 10");
                return 2;
            }
            var database = CliSettings.LoadDatabase();
            var pg = result.GetValue(postgres) ?? (database.IsPostgres ? database.ConnectionString : null);
            var redisConfiguration = result.GetValue(redis) ?? CliSettings.Setting("Sada:Redis:Configuration");

            await output.WriteLineAsync($"claims of {count} queued runs (each claimed once: checked)");
            await output.WriteLineAsync("provider    workers  claims/s");
            foreach (var workers in Workers)
                await output.WriteLineAsync(Row("sqlite", workers, await ClaimsPerSecondAsync(SqliteDatabase(), count, workers, cancellation)));
            if (pg is null) await output.WriteLineAsync("postgres    skipped: pass --postgres or set Sada:Database:Provider=postgres and its ConnectionString");
            else
                foreach (var workers in Workers)
                    await output.WriteLineAsync(Row("postgres", workers, await ClaimsPerSecondAsync(PostgresDatabase(pg), count, workers, cancellation)));

            if (redisConfiguration is null) await output.WriteLineAsync("redis       skipped: pass --redis or set Sada:Redis:Configuration");
            else
            {
                var (median, p95) = await RedisDelayAsync(redisConfiguration, result.GetValue(messages), cancellation);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"run event, publish to another instance's pages over Redis: median {median:F2} ms, p95 {p95:F2} ms ({result.GetValue(messages)} events)"));
            }
            return 0;
        });
        return command;
    }

    static string Row(string provider, int workers, double perSecond) =>
        string.Create(CultureInfo.InvariantCulture, $"{provider,-10}  {workers,7}  {perSecond,8:F0}");

    /// <summary>A fresh database and how to drop it.</summary>
    sealed record BenchDatabase(SadaDatabaseOptions Options, string SqlitePath, Action Drop);

    static BenchDatabase SqliteDatabase()
    {
        var folder = Path.Combine(Path.GetTempPath(), "sada-bench-queue-" + Guid.NewGuid().ToString("N"));
        return new BenchDatabase(new SadaDatabaseOptions(), Path.Combine(folder, "bench.db"), () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        });
    }

    static BenchDatabase PostgresDatabase(string admin)
    {
        var name = "sada_bench_" + Guid.NewGuid().ToString("N");
        Execute(admin, $"CREATE DATABASE \"{name}\"");
        var options = new SadaDatabaseOptions
        {
            Provider = SadaDatabaseOptions.Postgres,
            ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 40 }.ConnectionString,
        };
        return new BenchDatabase(options, "", () =>
        {
            NpgsqlConnection.ClearAllPools();
            Execute(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        });
    }

    static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    sealed class Factory(BenchDatabase database) : IDbContextFactory<SadaDbContext>
    {
        public SadaDbContext CreateDbContext() => SadaDataServices.CreateContext(database.Options, database.SqlitePath);
    }

    static async Task<double> ClaimsPerSecondAsync(BenchDatabase database, int count, int workers, CancellationToken cancellation)
    {
        try
        {
            var dbs = new Factory(database);
            await using (var db = dbs.CreateDbContext())
            {
                db.MigrateSadaDatabase();
                var dataset = new Dataset { Name = "bench", Centers = [new Center { Name = "a" }] };
                db.Datasets.Add(dataset);
                db.Runs.AddRange(Enumerable.Range(0, count).Select(i => new Run
                {
                    Dataset = dataset, HoldoutCenter = "a", Algorithm = "erm", ConfigJson = "{}", Seed = i, Status = RunStatus.Queued, CreatedAt = DateTime.UtcNow,
                }));
                await db.SaveChangesAsync(cancellation);
            }
            var queue = new RunQueue(dbs, TimeProvider.System);
            var clock = Stopwatch.StartNew();
            var claimed = await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
            {
                var mine = new List<int>();
                while (await queue.ClaimNextAsync($"bench-{w}", cancellation) is { } run) mine.Add(run.Id);
                return mine;
            }, cancellation)));
            clock.Stop();
            var all = claimed.SelectMany(c => c).ToList();
            if (all.Count != count || all.Distinct().Count() != count)
                throw new InvalidOperationException($"{all.Count} claims of {count} runs, {all.Distinct().Count()} distinct: the queue is broken");
            return count / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            database.Drop();
        }
    }

    /// <summary>Two relays on two Redis connections, as two processes have: one publishes, the other delivers to its pages.</summary>
    static async Task<(double Median, double P95)> RedisDelayAsync(string configuration, int messages, CancellationToken cancellation)
    {
        var options = new RedisOptions { Configuration = configuration, ChannelPrefix = "sada-bench-" + Guid.NewGuid().ToString("N") };
        await using var publisherRedis = await ConnectionMultiplexer.ConnectAsync(options.ToRedis());
        await using var subscriberRedis = await ConnectionMultiplexer.ConnectAsync(options.ToRedis());
        var publisher = new RedisRunEventRelay(publisherRedis, options, new RunEventBus(NullLogger<RunEventBus>.Instance), NullLogger<RedisRunEventRelay>.Instance);
        var pages = new RunEventBus(NullLogger<RunEventBus>.Instance);
        var subscriber = new RedisRunEventRelay(subscriberRedis, options, pages, NullLogger<RedisRunEventRelay>.Instance);
        await subscriber.StartAsync(cancellation);
        try
        {
            var feed = new RunFeed(1);
            using var subscription = pages.Subscribe(feed);
            feed.ApplyHistory(new RunHistoryMessage(new RunStatusMessage(1, null, "Running", 0, messages, null, null, null, null, null), [], [], [], []));
            var delays = new List<double>();
            for (int i = 1; i <= messages; i++)
            {
                var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                void OnReceived(object m) { if (m is LogMessage) arrived.TrySetResult(); }
                feed.Received += OnReceived;
                var clock = Stopwatch.StartNew();
                await publisher.SendAsync(1, new LogMessage(1, i, DateTime.UtcNow, "info", "bench"));
                await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellation);
                delays.Add(clock.Elapsed.TotalMilliseconds);
                feed.Received -= OnReceived;
            }
            delays.Sort();
            return (delays[delays.Count / 2], delays[(int)Math.Ceiling(delays.Count * 0.95) - 1]);
        }
        finally
        {
            await subscriber.StopAsync(CancellationToken.None);
        }
    }
}
