using Microsoft.EntityFrameworkCore;
using Sada.Data.Datasets;
using Sada.Data.Entities;

namespace Sada.Data.Runs;

/// <summary>Which runs a listing shows; null means any. Newest first, at most <see cref="Limit"/>.</summary>
public sealed record RunFilter(RunStatus? Status = null, string? Dataset = null, int? StudyId = null, int Limit = 200);

public sealed record RunSummary(
    int Id, int DatasetId, string Dataset, int? StudyId, string HoldoutCenter, string Algorithm, int Seed, RunStatus Status,
    int Step, int TotalSteps, bool CancelRequested, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt, string? Device, string? Error);

/// <summary>A run with its full config JSON and every evaluation row in step order.</summary>
public sealed record RunDetails(RunSummary Run, string ConfigJson, string? CodeVersion, string? CheckpointDirectory, DateTime? HeartbeatAt, IReadOnlyList<RunMetric> Metrics);

public enum CancelOutcome
{
    NotFound,
    /// <summary>It was queued and is now cancelled.</summary>
    Cancelled,
    /// <summary>It is running; its worker stops it at the next step.</summary>
    CancelRequested,
    /// <summary>It had already completed, failed or been cancelled.</summary>
    AlreadyFinished,
}

public sealed record CancelResult(CancelOutcome Outcome, RunStatus? Status);

/// <summary>Reads runs for the API and pages, and forwards cancellations to the <see cref="RunQueue"/>.</summary>
public sealed class RunCatalog(IDbContextFactory<SadaDbContext> dbs, RunQueue queue)
{
    public async Task<IReadOnlyList<RunSummary>> ListAsync(RunFilter filter, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var runs = db.Runs.AsNoTracking();
        if (filter.Status is RunStatus status) runs = runs.Where(r => r.Status == status);
        if (filter.Dataset is { } name)
        {
            var dataset = await DatasetLookup.RequireAsync(db, name, cancellation: cancellation);
            runs = runs.Where(r => r.DatasetId == dataset.Id);
        }
        if (filter.StudyId is int studyId) runs = runs.Where(r => r.StudyId == studyId);
        return await Summaries(runs.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(Math.Clamp(filter.Limit, 1, 10_000)))
            .ToListAsync(cancellation);
    }

    public async Task<RunDetails?> GetAsync(int id, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var summary = await Summaries(db.Runs.AsNoTracking().Where(r => r.Id == id)).SingleOrDefaultAsync(cancellation);
        if (summary is null) return null;
        var extra = await db.Runs.AsNoTracking().Where(r => r.Id == id)
            .Select(r => new { r.ConfigJson, r.CodeVersion, r.CheckpointDirectory, r.HeartbeatAt }).SingleAsync(cancellation);
        var metrics = await db.RunMetrics.AsNoTracking().Where(m => m.RunId == id).OrderBy(m => m.Step).ToListAsync(cancellation);
        return new RunDetails(summary, extra.ConfigJson, extra.CodeVersion, extra.CheckpointDirectory, extra.HeartbeatAt, metrics);
    }

    /// <summary>The run's row; null for an unknown run.</summary>
    public async Task<Run?> FindAsync(int id, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        return await db.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellation);
    }

    /// <summary>Every run of the study, by id; null when there is no such study.</summary>
    public async Task<IReadOnlyList<Run>?> InStudyAsync(int studyId, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        if (!await db.Studies.AnyAsync(s => s.Id == studyId, cancellation)) return null;
        return await db.Runs.AsNoTracking().Where(r => r.StudyId == studyId).OrderBy(r => r.Id).ToListAsync(cancellation);
    }

    /// <summary>One run with its evaluations (not its log or t-SNE points, which are large); null for an unknown run.</summary>
    public async Task<EvaluatedRun?> EvaluatedAsync(int id, CancellationToken cancellation = default) =>
        (await EvaluatedAsync(r => r.Id == id, cancellation)).SingleOrDefault();

    /// <summary>Every run of a study with its evaluations, by id.</summary>
    public Task<IReadOnlyList<EvaluatedRun>> EvaluatedInStudyAsync(int studyId, CancellationToken cancellation = default) =>
        EvaluatedAsync(r => r.StudyId == studyId, cancellation);

    /// <summary>Every completed run with its evaluations, by id.</summary>
    public Task<IReadOnlyList<EvaluatedRun>> EvaluatedCompletedAsync(CancellationToken cancellation = default) =>
        EvaluatedAsync(r => r.Status == RunStatus.Completed, cancellation);

    async Task<IReadOnlyList<EvaluatedRun>> EvaluatedAsync(System.Linq.Expressions.Expression<Func<Run, bool>> which, CancellationToken cancellation)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var runs = await db.Runs.AsNoTracking().Where(which).Include(r => r.Dataset).OrderBy(r => r.Id).ToListAsync(cancellation);
        var ids = runs.Select(r => r.Id).ToList();
        var metrics = (await db.RunMetrics.AsNoTracking().Where(m => ids.Contains(m.RunId)).OrderBy(m => m.Step).ToListAsync(cancellation))
            .ToLookup(m => m.RunId);
        return runs.Select(r => new EvaluatedRun(r, r.Dataset?.Name ?? "", metrics[r.Id].ToList())).ToList();
    }

    /// <summary>Cancels a queued run at once, or asks a running one to stop; says what happened.</summary>
    public async Task<CancelResult> CancelAsync(int id, CancellationToken cancellation = default)
    {
        bool accepted = await queue.RequestCancelAsync(id, cancellation);
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var status = await db.Runs.Where(r => r.Id == id).Select(r => (RunStatus?)r.Status).SingleOrDefaultAsync(cancellation);
        if (status is null) return new(CancelOutcome.NotFound, null);
        if (!accepted) return new(CancelOutcome.AlreadyFinished, status);
        return new(status == RunStatus.Cancelled ? CancelOutcome.Cancelled : CancelOutcome.CancelRequested, status);
    }

    /// <summary>Runs as listed; <see cref="RunSummary.Step"/> is the step shown (<see cref="RunSteps.Shown(RunStatus, int, int)"/>).</summary>
    internal static IQueryable<RunSummary> Summaries(IQueryable<Run> runs) =>
        runs.Select(r => new RunSummary(r.Id, r.DatasetId, r.Dataset!.Name, r.StudyId, r.HoldoutCenter, r.Algorithm, r.Seed, r.Status,
            RunSteps.Shown(r.Status, r.Step, r.TotalSteps), r.TotalSteps, r.CancelRequested, r.CreatedAt, r.StartedAt, r.FinishedAt, r.Device, r.Error));
}
