using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Sada.Data.Entities;
using Sada.Data.Runs;

namespace Sada.Data.Tests.Runs;

public class RunQueueTests : IDisposable
{
    readonly TempDatabase _db = new();
    readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    readonly RunQueue _queue;

    public RunQueueTests() => _queue = new RunQueue(new Factory(_db), _clock);

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

    [Fact]
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

    [Fact]
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

    [Fact]
    public async Task Abandoned_runs_are_requeued_and_live_ones_kept()
    {
        var ids = Enqueue(3);
        await _queue.ClaimNextAsync("crashed");   // ids[0]: this worker, crashed and restarted
        await _queue.ClaimNextAsync("other");     // ids[1]: another worker, heartbeat will go stale
        _clock.Advance(TimeSpan.FromMinutes(10));
        await _queue.ClaimNextAsync("alive");     // ids[2]: another worker, fresh heartbeat
        var requeued = await _queue.RequeueAbandonedAsync("crashed", TimeSpan.FromMinutes(5));
        Assert.Equal([ids[0], ids[1]], requeued.Order());
        Assert.Equal(RunStatus.Queued, Get(ids[0]).Status);
        Assert.Null(Get(ids[1]).WorkerId);
        Assert.Equal(RunStatus.Running, Get(ids[2]).Status);
        // Requeued runs keep their start time; the next claim takes the oldest again.
        Assert.Equal(ids[0], (await _queue.ClaimNextAsync("crashed"))!.Id);
    }

    [Fact]
    public async Task Heartbeat_records_the_step_and_reports_a_cancel_request()
    {
        var ids = Enqueue(2);
        var run = await _queue.ClaimNextAsync("w");
        Assert.False(await _queue.HeartbeatAsync(run!.Id, "w", 40));
        Assert.Equal(40, Get(run.Id).Step);
        Assert.True(await _queue.RequestCancelAsync(run.Id));
        Assert.True(await _queue.HeartbeatAsync(run.Id, "w", 41));
        // A queued run is cancelled at once; a finished one cannot be.
        Assert.True(await _queue.RequestCancelAsync(ids[1]));
        Assert.Equal(RunStatus.Cancelled, Get(ids[1]).Status);
        await _queue.MarkCancelledAsync(run.Id);
        Assert.False(await _queue.RequestCancelAsync(run.Id));
    }

    [Fact]
    public async Task Failure_keeps_the_message()
    {
        Enqueue(1);
        var run = await _queue.ClaimNextAsync("w");
        await _queue.FailAsync(run!.Id, "Training diverged at step 3: loss 'total' is NaN.");
        var stored = Get(run.Id);
        Assert.Equal(RunStatus.Failed, stored.Status);
        Assert.Contains("step 3", stored.Error);
        Assert.NotNull(stored.FinishedAt);
    }

    public void Dispose() => _db.Dispose();
}
