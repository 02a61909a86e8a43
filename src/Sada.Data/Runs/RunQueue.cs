using Microsoft.EntityFrameworkCore;
using Sada.Data.Entities;

namespace Sada.Data.Runs;

/// <summary>
/// The queue of training runs in the database. A worker claims the oldest queued run with one conditional
/// UPDATE (status = queued -> running), so several workers on one shared database never take the same run.
/// Everything is EF Core LINQ: no SQL dialect.
/// </summary>
public sealed class RunQueue(IDbContextFactory<SadaDbContext> dbs, TimeProvider clock)
{
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

    /// <summary>Marks the run alive and records its step. Returns true when a cancellation was requested.</summary>
    public async Task<bool> HeartbeatAsync(int runId, string workerId, int step, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var now = Now;
        await db.Runs.Where(r => r.Id == runId && r.WorkerId == workerId && r.Status == RunStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatAt, now).SetProperty(r => r.Step, step), cancellation);
        return await db.Runs.Where(r => r.Id == runId).Select(r => r.CancelRequested).SingleAsync(cancellation);
    }

    /// <summary>
    /// Puts back in the queue the runs a crash left running: those of this worker (it has just started, so none
    /// of them is really running) and those of any worker whose heartbeat is older than <paramref name="staleAfter"/>.
    /// They resume from their last checkpoint. Returns their ids.
    /// </summary>
    public async Task<IReadOnlyList<int>> RequeueAbandonedAsync(string workerId, TimeSpan staleAfter, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var cutoff = Now - staleAfter;
        var ids = await db.Runs
            .Where(r => r.Status == RunStatus.Running && (r.WorkerId == workerId || r.HeartbeatAt == null || r.HeartbeatAt < cutoff))
            .Select(r => r.Id).ToListAsync(cancellation);
        if (ids.Count > 0)
            await db.Runs.Where(r => ids.Contains(r.Id) && r.Status == RunStatus.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Queued).SetProperty(r => r.WorkerId, (string?)null), cancellation);
        return ids;
    }

    public Task CompleteAsync(int runId, CancellationToken cancellation = default) => FinishAsync(runId, RunStatus.Completed, null, cancellation);

    public Task FailAsync(int runId, string error, CancellationToken cancellation = default) => FinishAsync(runId, RunStatus.Failed, error, cancellation);

    public Task MarkCancelledAsync(int runId, CancellationToken cancellation = default) => FinishAsync(runId, RunStatus.Cancelled, null, cancellation);

    /// <summary>
    /// Asks for a run to stop: a queued run is cancelled at once; a running one is flagged and its worker stops at
    /// the next step. Returns false when the run is unknown or already finished.
    /// </summary>
    public async Task<bool> RequestCancelAsync(int runId, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var now = Now;
        if (await db.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Cancelled).SetProperty(r => r.FinishedAt, now), cancellation) == 1)
            return true;
        return await db.Runs.Where(r => r.Id == runId && r.Status == RunStatus.Running)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.CancelRequested, true), cancellation) == 1;
    }

    async Task FinishAsync(int runId, RunStatus status, string? error, CancellationToken cancellation)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var now = Now;
        await db.Runs.Where(r => r.Id == runId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, status).SetProperty(r => r.Error, error)
                .SetProperty(r => r.FinishedAt, now).SetProperty(r => r.HeartbeatAt, now), cancellation);
    }

    DateTime Now => clock.GetUtcNow().UtcDateTime;
}
