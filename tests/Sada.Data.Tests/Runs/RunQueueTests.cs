using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Sada.Data.Entities;
using Sada.Data.Runs;

namespace Sada.Data.Tests.Runs;

public class RunQueueTests : IDisposable
{
    readonly TempDatabase _db;
    readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    readonly RunQueue _queue;

    static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);

    public RunQueueTests() : this(TempDatabase.Sqlite) { }

    protected RunQueueTests(string provider)
    {
        _db = new TempDatabase(provider);
        _queue = new RunQueue(new Factory(_db), _clock, new RunQueueOptions(StaleAfter));
    }

    sealed class Factory(TempDatabase db) : IDbContextFactory<SadaDbContext>
    {
        public SadaDbContext CreateDbContext() => db.Open();
    }

    int[] Enqueue(int count)
    {
        using var db = _db.Open();
        var dataset = db.Datasets.FirstOrDefault() ?? db.Datasets.Add(new Dataset { Name = "d", Centers = [new Center { Name = "a" }] }).Entity;
        var runs = Enumerable.Range(0, count).Select(i => new Run
        {
            Dataset = dataset, HoldoutCenter = "a", Algorithm = "erm", ConfigJson = "{}", Seed = i, Status = RunStatus.Queued,
        }).ToList();
        db.Runs.AddRange(runs);
        db.SaveChanges();
        return runs.Select(r => r.Id).ToArray();
    }

    Run Get(int id)
    {
        using var db = _db.Open();
        return db.Runs.AsNoTracking().Single(r => r.Id == id);
    }

    [DbFact]
    public async Task Claims_in_order_and_each_run_once()
    {
        var ids = Enqueue(3);
        var first = await _queue.ClaimNextAsync("w1");
        var second = await _queue.ClaimNextAsync("w2");
        Assert.Equal(ids[0], first!.Id);
        Assert.Equal(ids[1], second!.Id);
        Assert.Equal(RunStatus.Running, first.Status);
        Assert.Equal("w1", first.WorkerId);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, first.StartedAt);
        Assert.Equal(ids[2], (await _queue.ClaimNextAsync("w1"))!.Id);
        Assert.Null(await _queue.ClaimNextAsync("w1"));
    }

    [DbFact]
    public async Task Concurrent_workers_never_claim_the_same_run()
    {
        var ids = Enqueue(12);
        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var mine = new List<int>();
            while (await _queue.ClaimNextAsync($"w{w}") is { } run) mine.Add(run.Id);
            return mine;
        })));
        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(ids.Order(), all.Order());
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [DbFact]
    public async Task Abandoned_runs_are_requeued_and_live_ones_kept()
    {
        var ids = Enqueue(3);
        await _queue.ClaimNextAsync("crashed");   // ids[0]: this worker, crashed and restarted
        await _queue.ClaimNextAsync("other");     // ids[1]: another worker, heartbeat will go stale
        _clock.Advance(TimeSpan.FromMinutes(10));
        await _queue.ClaimNextAsync("alive");     // ids[2]: another worker, fresh heartbeat
        var requeued = await _queue.RequeueAbandonedAsync("crashed");
        Assert.Equal([ids[0], ids[1]], requeued.Order());
        Assert.Equal(RunStatus.Queued, Get(ids[0]).Status);
        Assert.Null(Get(ids[1]).WorkerId);
        Assert.Equal(RunStatus.Running, Get(ids[2]).Status);
        // Requeued runs keep their start time; the next claim takes the oldest again.
        Assert.Equal(ids[0], (await _queue.ClaimNextAsync("crashed"))!.Id);
    }

    [DbFact]
    public async Task Heartbeat_records_the_step_and_reports_a_cancel_request()
    {
        var ids = Enqueue(2);
        var run = await _queue.ClaimNextAsync("w");
        Assert.Equal(HeartbeatReply.Continue, await _queue.HeartbeatAsync(run!.Id, "w", 40));
        Assert.Equal(40, Get(run.Id).Step);
        Assert.True(await _queue.RequestCancelAsync(run.Id));
        Assert.Equal(RunStatus.Running, Get(run.Id).Status);
        Assert.Equal(HeartbeatReply.CancelRequested, await _queue.HeartbeatAsync(run.Id, "w", 41));
        // A queued run is cancelled at once; a finished one cannot be.
        Assert.True(await _queue.RequestCancelAsync(ids[1]));
        Assert.Equal(RunStatus.Cancelled, Get(ids[1]).Status);
        Assert.True(await _queue.MarkCancelledAsync(run.Id, "w"));
        Assert.False(await _queue.RequestCancelAsync(run.Id));
    }

    [DbFact]
    public async Task Failure_keeps_the_message()
    {
        Enqueue(1);
        var run = await _queue.ClaimNextAsync("w");
        await _queue.FailAsync(run!.Id, "w", "Training diverged at step 3: loss 'total' is NaN.");
        var stored = Get(run.Id);
        Assert.Equal(RunStatus.Failed, stored.Status);
        Assert.Contains("step 3", stored.Error);
        Assert.NotNull(stored.FinishedAt);
    }

    [DbFact]
    public async Task A_live_workers_sweep_requeues_runs_whose_heartbeat_went_stale_and_keeps_live_ones()
    {
        var ids = Enqueue(3);
        await _queue.ClaimNextAsync("dead");          // ids[0]: its worker died, it never beats again
        await _queue.ClaimNextAsync("alive");         // ids[1]: beats
        _clock.Advance(StaleAfter - TimeSpan.FromSeconds(1));
        Assert.Empty(await _queue.RecoverStaleAsync()); // not stale yet
        Assert.Equal(HeartbeatReply.Continue, await _queue.HeartbeatAsync(ids[1], "alive", 3));
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([ids[0]], await _queue.RecoverStaleAsync());
        Assert.Equal((RunStatus.Queued, (string?)null), (Get(ids[0]).Status, Get(ids[0]).WorkerId));
        Assert.Equal(RunStatus.Running, Get(ids[1]).Status);
        // Another worker resumes it: the oldest queued run.
        Assert.Equal(ids[0], (await _queue.ClaimNextAsync("other"))!.Id);
    }

    [DbFact]
    public async Task A_restarted_worker_takes_back_its_own_running_runs_at_once_and_no_one_elses()
    {
        var ids = Enqueue(2);
        await _queue.ClaimNextAsync("gpu-box:worker");
        await _queue.ClaimNextAsync("other:worker");
        // Within the stale window: only the restarted worker's own identity frees its run.
        Assert.Equal([ids[0]], await _queue.RecoverOwnAsync("gpu-box:worker"));
        Assert.Equal(RunStatus.Queued, Get(ids[0]).Status);
        Assert.Equal(RunStatus.Running, Get(ids[1]).Status);
    }

    [DbFact]
    public async Task Cancelling_an_orphaned_run_ends_it_at_once()
    {
        var ids = Enqueue(1);
        await _queue.ClaimNextAsync("dead");
        _clock.Advance(StaleAfter + TimeSpan.FromSeconds(1));
        Assert.True(await _queue.RequestCancelAsync(ids[0]));
        var run = Get(ids[0]);
        Assert.Equal(RunStatus.Cancelled, run.Status);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime, run.FinishedAt);
        // The dead worker, were it only slow, learns it lost the run and cannot overwrite the outcome.
        Assert.Equal(HeartbeatReply.Lost, await _queue.HeartbeatAsync(ids[0], "dead", 9));
        Assert.False(await _queue.CompleteAsync(ids[0], "dead"));
        Assert.Equal(RunStatus.Cancelled, Get(ids[0]).Status);
    }

    [DbFact]
    public async Task A_stale_run_whose_cancel_was_asked_is_cancelled_by_the_sweep_not_requeued()
    {
        var ids = Enqueue(1);
        await _queue.ClaimNextAsync("w");
        Assert.True(await _queue.RequestCancelAsync(ids[0]));  // fresh heartbeat: flagged only
        _clock.Advance(StaleAfter + TimeSpan.FromSeconds(1));
        Assert.Equal([ids[0]], await _queue.RecoverStaleAsync());
        Assert.Equal(RunStatus.Cancelled, Get(ids[0]).Status);
        Assert.Null(await _queue.ClaimNextAsync("other"));
    }

    [DbFact]
    public async Task A_worker_whose_run_was_requeued_and_claimed_by_another_loses_it_and_cannot_finish_it()
    {
        var ids = Enqueue(1);
        await _queue.ClaimNextAsync("slow");
        _clock.Advance(StaleAfter + TimeSpan.FromSeconds(1));
        await _queue.RecoverStaleAsync();
        Assert.Equal(ids[0], (await _queue.ClaimNextAsync("fast"))!.Id);
        Assert.Equal(HeartbeatReply.Lost, await _queue.HeartbeatAsync(ids[0], "slow", 5));
        Assert.False(await _queue.FailAsync(ids[0], "slow", "late"));
        Assert.True(await _queue.CompleteAsync(ids[0], "fast"));
        Assert.Equal(RunStatus.Completed, Get(ids[0]).Status);
    }

    [DbFact]
    public async Task A_stopping_worker_hands_its_run_back_to_the_queue()
    {
        var ids = Enqueue(1);
        await _queue.ClaimNextAsync("w");
        Assert.True(await _queue.ReleaseAsync(ids[0], "w"));
        Assert.False(await _queue.ReleaseAsync(ids[0], "w"));
        Assert.Equal(ids[0], (await _queue.ClaimNextAsync("other"))!.Id);
    }

    public void Dispose() => _db.Dispose();
}

public sealed class RunQueueTestsOnPostgres() : RunQueueTests(TempDatabase.Postgres), IOnPostgres;
