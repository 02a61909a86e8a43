using Microsoft.EntityFrameworkCore;
using Sada.Data.Entities;

namespace Sada.Data.Runs;

/// <summary>What a worker's heartbeat learns about the run it trains.</summary>
public enum HeartbeatReply
{
    /// <summary>The run is still this worker's: go on.</summary>
    Continue,
    /// <summary>Someone asked the run to stop: the worker stops it and marks it cancelled.</summary>
    CancelRequested,
    /// <summary>The run is no longer this worker's (it was requeued as stale, or cancelled as orphaned): stop, write nothing.</summary>
    Lost,
}

/// <summary>Liveness rule of the queue: a running row whose heartbeat is older than <see cref="StaleAfter"/> has no live worker.</summary>
public sealed record RunQueueOptions(TimeSpan StaleAfter)
{
    public static RunQueueOptions Default { get; } = new(TimeSpan.FromMinutes(2));
}

/// <summary>
/// The queue of training runs in the database. A worker claims the oldest queued run with one conditional
/// UPDATE (status = queued -> running), so several workers on one shared database never take the same run: on SQLite the
/// write lock serialises them, on PostgreSQL the second UPDATE waits for the first's commit and re-reads the condition.
/// Everything is EF Core LINQ: no SQL dialect.
/// </summary>
public sealed class RunQueue(IDbContextFactory<SadaDbContext> dbs, TimeProvider clock, RunQueueOptions? options = null)
{
    public TimeSpan StaleAfter { get; } = (options ?? RunQueueOptions.Default).StaleAfter;

    /// <summary>Claims the oldest queued run for <paramref name="workerId"/>, or returns null when none is queued.</summary>
    public async Task<Run?> ClaimNextAsync(string workerId, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        while (true)
        {
            var candidate = await db.Runs.Where(r => r.Status == RunStatus.Queued).OrderBy(r => r.Id)
                .Select(r => (int?)r.Id).FirstOrDefaultAsync(cancellation);
            if (candidate is null) return null;
            var now = Now;
            int claimed = await db.Runs
                .Where(r => r.Id == candidate && r.Status == RunStatus.Queued)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.Status, RunStatus.Running)
                    .SetProperty(r => r.WorkerId, workerId)
                    .SetProperty(r => r.StartedAt, r => r.StartedAt ?? now)
                    .SetProperty(r => r.HeartbeatAt, now), cancellation);
            // Another worker won the race for this one: look again.
            if (claimed == 1) return await db.Runs.AsNoTracking().SingleAsync(r => r.Id == candidate, cancellation);
        }
    }

    /// <summary>Marks the run alive and records its step, if it is still this worker's; says whether to go on.</summary>
    public async Task<HeartbeatReply> HeartbeatAsync(int runId, string workerId, int step, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var now = Now;
        int mine = await db.Runs.Where(r => r.Id == runId && r.WorkerId == workerId && r.Status == RunStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatAt, now).SetProperty(r => r.Step, step), cancellation);
        if (mine == 0) return HeartbeatReply.Lost;
        return await db.Runs.Where(r => r.Id == runId).Select(r => r.CancelRequested).SingleAsync(cancellation)
            ? HeartbeatReply.CancelRequested
            : HeartbeatReply.Continue;
    }

    /// <summary>
    /// At a worker's start: its own running runs were left by its previous life (its identity survives a restart), so none
    /// of them is really running. They are queued again (cancelled, if a cancel was asked) at once, without waiting for
    /// <see cref="StaleAfter"/>. Returns their ids.
    /// </summary>
    public Task<IReadOnlyList<int>> RecoverOwnAsync(string workerId, CancellationToken cancellation = default) =>
        RecoverAsync(r => r.WorkerId == workerId, cancellation);

    /// <summary>
    /// Runs whose worker is gone, whichever machine it ran on: running rows whose heartbeat is older than
    /// <see cref="StaleAfter"/>. Live workers call this periodically. Each is queued again to resume from its checkpoint, or
    /// cancelled if a cancel was asked. Returns their ids.
    /// </summary>
    public Task<IReadOnlyList<int>> RecoverStaleAsync(CancellationToken cancellation = default)
    {
        var cutoff = Now - StaleAfter;
        return RecoverAsync(r => r.HeartbeatAt == null || r.HeartbeatAt < cutoff, cancellation);
    }

    /// <summary>Both recoveries at once (a worker's start).</summary>
    public async Task<IReadOnlyList<int>> RequeueAbandonedAsync(string workerId, CancellationToken cancellation = default)
    {
        var own = await RecoverOwnAsync(workerId, cancellation);
        var stale = await RecoverStaleAsync(cancellation);
        return own.Concat(stale).Distinct().Order().ToList();
    }

    async Task<IReadOnlyList<int>> RecoverAsync(System.Linq.Expressions.Expression<Func<Run, bool>> abandoned, CancellationToken cancellation)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var candidates = await db.Runs.Where(r => r.Status == RunStatus.Running).Where(abandoned)
            .Select(r => new { r.Id, r.WorkerId, r.HeartbeatAt }).ToListAsync(cancellation);
        var recovered = new List<int>();
        var now = Now;
        foreach (var c in candidates)
        {
            // Conditional on the row as read: a worker that beat in between, or another recoverer, keeps it.
            var row = db.Runs.Where(r => r.Id == c.Id && r.Status == RunStatus.Running && r.WorkerId == c.WorkerId && r.HeartbeatAt == c.HeartbeatAt);
            int changed = await row.Where(r => r.CancelRequested)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Cancelled).SetProperty(r => r.FinishedAt, now), cancellation);
            if (changed == 0)
                changed = await row.Where(r => !r.CancelRequested)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Queued).SetProperty(r => r.WorkerId, (string?)null), cancellation);
            if (changed == 1) recovered.Add(c.Id);
        }
        return recovered;
    }

    /// <summary>Marks the run completed, if it is still this worker's (a worker that lost its run writes nothing).</summary>
    public Task<bool> CompleteAsync(int runId, string workerId, CancellationToken cancellation = default) =>
        FinishAsync(runId, workerId, RunStatus.Completed, null, cancellation);

    public Task<bool> FailAsync(int runId, string workerId, string error, CancellationToken cancellation = default) =>
        FinishAsync(runId, workerId, RunStatus.Failed, error, cancellation);

    public Task<bool> MarkCancelledAsync(int runId, string workerId, CancellationToken cancellation = default) =>
        FinishAsync(runId, workerId, RunStatus.Cancelled, null, cancellation);

    /// <summary>A stopping worker hands its run back to the queue (cancelled instead, if a cancel was asked).</summary>
    public async Task<bool> ReleaseAsync(int runId, string workerId, CancellationToken cancellation = default) =>
        (await RecoverAsync(r => r.Id == runId && r.WorkerId == workerId, cancellation)).Count == 1;

    /// <summary>
    /// Asks for a run to stop: a queued run is cancelled at once; a running one is flagged and its worker stops at the next
    /// heartbeat; a running one whose worker is gone (heartbeat older than <see cref="StaleAfter"/>) is cancelled at once,
    /// since no worker would ever read the flag. Returns false when the run is unknown or already finished.
    /// </summary>
    public async Task<bool> RequestCancelAsync(int runId, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var now = Now;
        var cutoff = now - StaleAfter;
        if (await db.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Cancelled).SetProperty(r => r.FinishedAt, now), cancellation) == 1)
            return true;
        if (await db.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Running && (r.HeartbeatAt == null || r.HeartbeatAt < cutoff))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Cancelled).SetProperty(r => r.CancelRequested, true)
                    .SetProperty(r => r.FinishedAt, now), cancellation) == 1)
            return true;
        return await db.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.CancelRequested, true), cancellation) == 1;
    }

    async Task<bool> FinishAsync(int runId, string workerId, RunStatus status, string? error, CancellationToken cancellation)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var now = Now;
        return await db.Runs.Where(r => r.Id == runId && r.WorkerId == workerId && r.Status == RunStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, status).SetProperty(r => r.Error, error)
                .SetProperty(r => r.FinishedAt, now).SetProperty(r => r.HeartbeatAt, now), cancellation) == 1;
    }

    DateTime Now => clock.GetUtcNow().UtcDateTime;
}
