using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Sada.Core.Training;
using Sada.Data.Entities;

namespace Sada.Data.Runs;

/// <summary>One point of a stored t-SNE: its 2-D position, center and class names.</summary>
public sealed record EmbeddingPoint(float X, float Y, string Center, string Class);

/// <summary>What is stored of a run, in order: metrics by step, log lines and embeddings by id, step-level losses by step.</summary>
public sealed record RunHistory(Run Run, IReadOnlyList<RunMetric> Metrics, IReadOnlyList<RunLogLine> Logs, IReadOnlyList<TsneEmbedding> Embeddings,
    IReadOnlyList<RunStepLosses> StepLosses);

/// <summary>
/// Writes what a training run reports (evaluations, log lines, t-SNE) and reads it back for late joiners. An evaluation
/// is one <see cref="RunMetric"/> row per (run, step), written with the run's step in one transaction and never twice:
/// a resumed run's <see cref="TrainingResumed"/> is reconciled with <see cref="ReconcileAsync"/>. Provider-neutral EF Core.
/// </summary>
public sealed class RunStore(IDbContextFactory<SadaDbContext> dbs, TimeProvider clock)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Records where and with what a claimed run trains.</summary>
    public async Task StartAsync(int runId, string device, string? codeVersion, string checkpointDirectory, int totalSteps, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        await db.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Device, device).SetProperty(r => r.CodeVersion, codeVersion)
            .SetProperty(r => r.CheckpointDirectory, checkpointDirectory).SetProperty(r => r.TotalSteps, totalSteps), cancellation);
    }

    /// <summary>Writes the evaluation's row and moves the run's step forward, in one transaction. Returns the row, or
    /// null when the run already has a row at that step (a replay after a resume).</summary>
    public async Task<RunMetric?> AddEvaluationAsync(int runId, EvaluationRecord evaluation, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        return await AddEvaluationAsync(db, runId, evaluation, cancellation);
    }

    async Task<RunMetric?> AddEvaluationAsync(SadaDbContext db, int runId, EvaluationRecord evaluation, CancellationToken cancellation)
    {
        int step = evaluation.Step;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellation);
        if (await db.RunMetrics.AnyAsync(m => m.RunId == runId && m.Step == step, cancellation)) return null;
        var row = ToMetric(runId, evaluation, Now);
        db.RunMetrics.Add(row);
        try
        {
            await db.SaveChangesAsync(cancellation);
        }
        catch (DbUpdateException)
        {
            // Another writer stored the same step between our check and our insert: the unique index kept one.
            await transaction.RollbackAsync(cancellation);
            if (await Exists(runId, step, cancellation)) return null;
            throw;
        }
        await db.Runs.Where(r => r.Id == runId && r.Step < step).ExecuteUpdateAsync(s => s.SetProperty(r => r.Step, step), cancellation);
        await RefreshSelectionAsync(db, runId, cancellation);
        await transaction.CommitAsync(cancellation);
        return row;
    }

    /// <summary>Copies the selected evaluation (the study table's rule: best validation, ties to the earliest step) onto the run's row.</summary>
    static async Task RefreshSelectionAsync(SadaDbContext db, int runId, CancellationToken cancellation)
    {
        var best = await db.RunMetrics.Where(m => m.RunId == runId && m.ValidationAccuracy != null)
            .OrderByDescending(m => m.ValidationAccuracy).ThenBy(m => m.Step)
            .Select(m => new { Step = (int?)m.Step, m.HeldOutAccuracy, m.HeldOutF1Macro }).FirstOrDefaultAsync(cancellation);
        await db.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.SelectedStep, best == null ? null : best.Step)
            .SetProperty(r => r.SelectedAccuracy, best == null ? null : best.HeldOutAccuracy)
            .SetProperty(r => r.SelectedF1Macro, best == null ? null : best.HeldOutF1Macro), cancellation);
    }

    async Task<bool> Exists(int runId, int step, CancellationToken cancellation)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        return await db.RunMetrics.AnyAsync(m => m.RunId == runId && m.Step == step, cancellation);
    }

    /// <summary>
    /// A run resumed from its checkpoint: rows at or after <see cref="TrainingResumed.FromStep"/> were not in the
    /// checkpoint (it was lost or replaced) and go, since the run makes those evaluations again; evaluations the
    /// checkpoint holds but the table misses (a crash between checkpoint and write) are written. Step-level loss rows at or
    /// after that step go too. Returns the evaluation rows written.
    /// </summary>
    public async Task<IReadOnlyList<RunMetric>> ReconcileAsync(int runId, TrainingResumed resumed, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        await db.RunMetrics.Where(m => m.RunId == runId && m.Step >= resumed.FromStep).ExecuteDeleteAsync(cancellation);
        // The step-level losses after the checkpoint are logged again as the run replays those steps.
        await db.RunStepLosses.Where(l => l.RunId == runId && l.Step >= resumed.FromStep).ExecuteDeleteAsync(cancellation);
        await RefreshSelectionAsync(db, runId, cancellation);
        var written = new List<RunMetric>();
        foreach (var evaluation in resumed.Evaluations.Where(e => e.Step < resumed.FromStep).OrderBy(e => e.Step))
            if (await AddEvaluationAsync(db, runId, evaluation, cancellation) is { } row) written.Add(row);
        return written;
    }

    /// <summary>
    /// Stores the losses of a logged step (<see cref="TrainingStepLosses"/>) at float precision; one row per (run, step): a
    /// replay returns null and writes nothing.
    /// </summary>
    public async Task<RunStepLosses?> AddStepLossesAsync(int runId, TrainingStepLosses losses, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        if (await db.RunStepLosses.AnyAsync(l => l.RunId == runId && l.Step == losses.Step, cancellation)) return null;
        var row = new RunStepLosses
        {
            RunId = runId, Step = losses.Step, Stage = losses.Stage,
            LossesJson = JsonSerializer.Serialize(losses.Losses.ToDictionary(kv => kv.Key, kv => (float)kv.Value), Json),
        };
        db.RunStepLosses.Add(row);
        try
        {
            await db.SaveChangesAsync(cancellation);
        }
        catch (DbUpdateException)
        {
            // Another writer stored the same step between our check and our insert: the unique index kept one.
            await using var again = await dbs.CreateDbContextAsync(cancellation);
            if (await again.RunStepLosses.AnyAsync(l => l.RunId == runId && l.Step == losses.Step, cancellation)) return null;
            throw;
        }
        return row;
    }

    /// <summary>The run's step-level losses by step; null for an unknown run.</summary>
    public async Task<IReadOnlyList<RunStepLosses>?> GetStepLossesAsync(int runId, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        if (!await db.Runs.AnyAsync(r => r.Id == runId, cancellation)) return null;
        return await db.RunStepLosses.AsNoTracking().Where(l => l.RunId == runId).OrderBy(l => l.Step).ToListAsync(cancellation);
    }

    /// <summary>A step-level row's losses by name, in the order the algorithm returned them.</summary>
    public static IReadOnlyDictionary<string, double> ReadLosses(RunStepLosses row) =>
        (JsonSerializer.Deserialize<Dictionary<string, float>>(row.LossesJson, Json) ?? []).ToDictionary(kv => kv.Key, kv => (double)kv.Value);

    /// <summary>
    /// Records that the run's stage 1 collapsed from <paramref name="step"/> on (<see cref="Run.CollapseStep"/>); the first
    /// step recorded stays (a resumed run that collapses again keeps its earlier step). Returns whether the row changed.
    /// </summary>
    public async Task<bool> MarkCollapsedAsync(int runId, int step, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        return await db.Runs.Where(r => r.Id == runId && r.CollapseStep == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.CollapseStep, step), cancellation) > 0;
    }

    public async Task<RunLogLine> AddLogAsync(int runId, string level, string message, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var line = new RunLogLine { RunId = runId, At = Now, Level = level, Message = message };
        db.RunLogLines.Add(line);
        await db.SaveChangesAsync(cancellation);
        return line;
    }

    /// <summary>Stores a t-SNE; one per (run, label, step): a replay returns null and writes nothing.</summary>
    public async Task<TsneEmbedding?> AddEmbeddingAsync(int runId, EmbeddingRecord embedding, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        if (await db.TsneEmbeddings.AnyAsync(t => t.RunId == runId && t.Label == embedding.Label && t.Step == embedding.Step, cancellation)) return null;
        var points = Enumerable.Range(0, embedding.Centers.Length).Select(i => new EmbeddingPoint(
            embedding.Points[2 * i], embedding.Points[2 * i + 1], embedding.CenterNames[embedding.Centers[i]], embedding.ClassNames[embedding.Classes[i]]));
        var row = new TsneEmbedding
        {
            RunId = runId, Step = embedding.Step, Label = embedding.Label, PointsJson = JsonSerializer.Serialize(points, Json),
            MixingScore = embedding.MixingScore, KlDivergence = embedding.Kl, CreatedAt = Now,
        };
        db.TsneEmbeddings.Add(row);
        await db.SaveChangesAsync(cancellation);
        return row;
    }

    /// <summary>The losses of an evaluation row by name, in the order the algorithm returned them.</summary>
    public static IReadOnlyDictionary<string, double> ReadLosses(RunMetric metric) =>
        JsonSerializer.Deserialize<Dictionary<string, double>>(metric.LossesJson, Json) ?? [];

    public static IReadOnlyList<EmbeddingPoint> ReadPoints(TsneEmbedding embedding) =>
        JsonSerializer.Deserialize<List<EmbeddingPoint>>(embedding.PointsJson, Json) ?? [];

    /// <summary>The run with its metrics by step, log lines and embeddings in the order they were written, step-level losses by step; null for an unknown run.</summary>
    public async Task<RunHistory?> GetHistoryAsync(int runId, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var run = await db.Runs.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, cancellation);
        if (run is null) return null;
        var metrics = await db.RunMetrics.AsNoTracking().Where(m => m.RunId == runId).OrderBy(m => m.Step).ToListAsync(cancellation);
        var logs = await db.RunLogLines.AsNoTracking().Where(l => l.RunId == runId).OrderBy(l => l.Id).ToListAsync(cancellation);
        var embeddings = await db.TsneEmbeddings.AsNoTracking().Where(t => t.RunId == runId).OrderBy(t => t.Id).ToListAsync(cancellation);
        var stepLosses = await db.RunStepLosses.AsNoTracking().Where(l => l.RunId == runId).OrderBy(l => l.Step).ToListAsync(cancellation);
        return new RunHistory(run, metrics, logs, embeddings, stepLosses);
    }

    /// <summary>The row of one evaluation: losses by name, held-out and validation metrics, JSON for the per-class parts.</summary>
    public static RunMetric ToMetric(int runId, EvaluationRecord e, DateTime createdAt) => new()
    {
        RunId = runId,
        Step = e.Step,
        Stage = e.Stage,
        LossesJson = JsonSerializer.Serialize(e.Losses, Json),
        HeldOutAccuracy = e.HeldOut.Accuracy,
        HeldOutF1Macro = e.HeldOut.F1Macro,
        PerClassRecallJson = JsonSerializer.Serialize(e.HeldOut.Recall, Json),
        ConfusionJson = JsonSerializer.Serialize(new { classes = e.HeldOut.Classes, counts = e.HeldOut.Confusion }, Json),
        ValidationJson = JsonSerializer.Serialize(e.Validation, Json),
        ValidationAccuracy = e.ValidationAccuracy,
        ImagesPerSecond = e.ImagesPerSecond,
        ElapsedSeconds = e.ElapsedSeconds,
        CreatedAt = createdAt,
    };

    DateTime Now => clock.GetUtcNow().UtcDateTime;
}
