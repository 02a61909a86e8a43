using Microsoft.EntityFrameworkCore;
using Sada.Data.Datasets;
using Sada.Data.Entities;

namespace Sada.Data.Runs;

/// <summary>
/// Which runs a listing shows; null means any. In <see cref="Sort"/>'s order (newest first unless told), at most
/// <see cref="Limit"/> from <see cref="Offset"/>.
/// </summary>
public sealed record RunFilter(RunStatus? Status = null, string? Dataset = null, int? StudyId = null, int Limit = 200)
{
    /// <summary>A substring (case-insensitive for ASCII letters) of the run's name, notes, a tag or its config JSON.</summary>
    public string? Query { get; init; }
    /// <summary>Only runs with this tag (tags are stored in lower case; the filter is lowered too).</summary>
    public string? Tag { get; init; }
    public string? Algorithm { get; init; }
    public string? HeldOut { get; init; }
    public RunSort Sort { get; init; } = RunSort.Default;
    public int Offset { get; init; }
}

/// <summary>What the runs table can be ordered by.</summary>
public enum RunSortField { Created, Id, Name, Algorithm, Dataset, HeldOut, Seed, Status, F1Micro, F1Macro }

/// <summary>
/// A listing's order: <c>created</c> is oldest first, <c>-created</c> newest first. Runs without a value (no name, no
/// selected evaluation yet) come last either way; ties go to the newest run.
/// </summary>
public sealed record RunSort(RunSortField Field, bool Descending)
{
    public static RunSort Default { get; } = new(RunSortField.Created, Descending: true);

    /// <summary>The names <see cref="TryParse"/> takes, as the API writes them.</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<RunSortField>().Select(Name).ToList();

    public static string Name(RunSortField field) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(field.ToString());

    /// <summary>"f1Micro" or "-f1Micro" (descending), case-insensitive; false for anything else.</summary>
    public static bool TryParse(string? text, out RunSort sort)
    {
        sort = Default;
        if (string.IsNullOrWhiteSpace(text)) return true;
        var trimmed = text.Trim();
        bool descending = trimmed.StartsWith('-');
        var name = descending ? trimmed[1..] : trimmed;
        foreach (var field in Enum.GetValues<RunSortField>())
            if (string.Equals(Name(field), name, StringComparison.OrdinalIgnoreCase))
            {
                sort = new RunSort(field, descending);
                return true;
            }
        return false;
    }

    public override string ToString() => (Descending ? "-" : "") + Name(Field);
}

/// <summary>The values the runs table's filters offer: those some run has.</summary>
public sealed record RunFacets(IReadOnlyList<string> Datasets, IReadOnlyList<string> Algorithms, IReadOnlyList<string> HeldOut, IReadOnlyList<string> Tags);

/// <summary>One page of a listing and how many runs match the filter in all.</summary>
public sealed record RunPage(int Total, IReadOnlyList<RunSummary> Items);

/// <summary>
/// A run as lists show it. <see cref="SelectedAccuracy"/> (held-out F1-micro) and <see cref="SelectedF1Macro"/> are those of
/// its selected evaluation (best validation accuracy), <see cref="Tags"/> in alphabetical order.
/// </summary>
public sealed record RunSummary(
    int Id, int DatasetId, string Dataset, int? StudyId, string HoldoutCenter, string Algorithm, int Seed, RunStatus Status,
    int Step, int TotalSteps, bool CancelRequested, DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt, string? Device, string? Error,
    string? Name = null, IReadOnlyList<string>? Tags = null, int? SelectedStep = null, double? SelectedAccuracy = null, double? SelectedF1Macro = null);

/// <summary>A run with its full config JSON, every evaluation row in step order, and its notes.</summary>
public sealed record RunDetails(RunSummary Run, string ConfigJson, string? CodeVersion, string? CheckpointDirectory, DateTime? HeartbeatAt, IReadOnlyList<RunMetric> Metrics,
    string? Notes = null);

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
    /// <summary>The runs the filter picks, in its order, at most its limit from its offset.</summary>
    public async Task<IReadOnlyList<RunSummary>> ListAsync(RunFilter filter, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var runs = await FilteredAsync(db, filter, cancellation);
        return await Summaries(Ordered(runs, filter.Sort).Skip(Math.Max(0, filter.Offset)).Take(Math.Clamp(filter.Limit, 1, 10_000)))
            .ToListAsync(cancellation);
    }

    /// <summary>A page of <see cref="ListAsync"/> with the number of runs the filter matches in all (the runs table's pager).</summary>
    public async Task<RunPage> PageAsync(RunFilter filter, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var runs = await FilteredAsync(db, filter, cancellation);
        int total = await runs.CountAsync(cancellation);
        var items = await Summaries(Ordered(runs, filter.Sort).Skip(Math.Max(0, filter.Offset)).Take(Math.Clamp(filter.Limit, 1, 10_000)))
            .ToListAsync(cancellation);
        return new RunPage(total, items);
    }

    /// <summary>The highest run id (0 with none): a page polls it to see a run queued by another process or server.</summary>
    public async Task<int> LatestIdAsync(CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        return await db.Runs.MaxAsync(r => (int?)r.Id, cancellation) ?? 0;
    }

    /// <summary>Every dataset, algorithm, held-out center and tag some run has, alphabetically (the runs table's filters).</summary>
    public async Task<RunFacets> FacetsAsync(CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var datasets = await db.Runs.Select(r => r.Dataset!.Name).Distinct().OrderBy(a => a).ToListAsync(cancellation);
        var algorithms = await db.Runs.Select(r => r.Algorithm).Distinct().OrderBy(a => a).ToListAsync(cancellation);
        var heldOut = await db.Runs.Select(r => r.HoldoutCenter).Distinct().OrderBy(c => c).ToListAsync(cancellation);
        var tags = await db.RunTags.Select(t => t.Name).Distinct().OrderBy(n => n).ToListAsync(cancellation);
        return new RunFacets(datasets, algorithms, heldOut, tags);
    }

    // Provider-neutral on purpose: Contains is instr() on SQLite and strpos() on PostgreSQL, lower() is ASCII on SQLite.
#pragma warning disable CA1304, CA1311, CA1862 // ToLower().Contains() here is SQL's lower(), translated by EF; no .NET culture is involved.
    static async Task<IQueryable<Run>> FilteredAsync(SadaDbContext db, RunFilter filter, CancellationToken cancellation)
    {
        var runs = db.Runs.AsNoTracking();
        if (filter.Status is RunStatus status) runs = runs.Where(r => r.Status == status);
        if (!string.IsNullOrWhiteSpace(filter.Dataset))
        {
            var dataset = await DatasetLookup.RequireAsync(db, filter.Dataset, cancellation: cancellation);
            runs = runs.Where(r => r.DatasetId == dataset.Id);
        }
        if (filter.StudyId is int studyId) runs = runs.Where(r => r.StudyId == studyId);
        if (!string.IsNullOrWhiteSpace(filter.Algorithm))
        {
            var algorithm = filter.Algorithm.Trim();
            runs = runs.Where(r => r.Algorithm == algorithm);
        }
        if (!string.IsNullOrWhiteSpace(filter.HeldOut))
        {
            var heldOut = filter.HeldOut.Trim();
            runs = runs.Where(r => r.HoldoutCenter == heldOut);
        }
        if (!string.IsNullOrWhiteSpace(filter.Tag))
        {
            var tag = RunAnnotations.NormaliseTag(filter.Tag);
            runs = runs.Where(r => r.Tags.Any(t => t.Name == tag));
        }
        if (!string.IsNullOrWhiteSpace(filter.Query))
        {
            var q = filter.Query.Trim().ToLowerInvariant();
            runs = runs.Where(r => (r.Name != null && r.Name.ToLower().Contains(q))
                || (r.Notes != null && r.Notes.ToLower().Contains(q))
                || r.Tags.Any(t => t.Name.Contains(q))
                || r.ConfigJson.ToLower().Contains(q));
        }
        return runs;
    }
#pragma warning restore CA1304, CA1311, CA1862

    static IQueryable<Run> Ordered(IQueryable<Run> runs, RunSort sort)
    {
        // Missing values last in both directions: order by "is missing" first.
        var ordered = sort.Field switch
        {
            RunSortField.Id => sort.Descending ? runs.OrderByDescending(r => r.Id) : runs.OrderBy(r => r.Id),
            RunSortField.Name => By(runs.OrderBy(r => r.Name == null), r => r.Name, sort.Descending),
            RunSortField.Algorithm => First(runs, r => r.Algorithm, sort.Descending),
            RunSortField.Dataset => First(runs, r => r.Dataset!.Name, sort.Descending),
            RunSortField.HeldOut => First(runs, r => r.HoldoutCenter, sort.Descending),
            RunSortField.Seed => First(runs, r => r.Seed, sort.Descending),
            RunSortField.Status => First(runs, r => r.Status, sort.Descending),
            RunSortField.F1Micro => By(runs.OrderBy(r => r.SelectedAccuracy == null), r => r.SelectedAccuracy, sort.Descending),
            RunSortField.F1Macro => By(runs.OrderBy(r => r.SelectedF1Macro == null), r => r.SelectedF1Macro, sort.Descending),
            _ => First(runs, r => r.CreatedAt, sort.Descending),
        };
        return sort.Field == RunSortField.Id ? ordered : ordered.ThenByDescending(r => r.Id);
    }

    static IOrderedQueryable<Run> First<TKey>(IQueryable<Run> runs, System.Linq.Expressions.Expression<Func<Run, TKey>> key, bool descending) =>
        descending ? runs.OrderByDescending(key) : runs.OrderBy(key);

    static IOrderedQueryable<Run> By<TKey>(IOrderedQueryable<Run> runs, System.Linq.Expressions.Expression<Func<Run, TKey>> key, bool descending) =>
        descending ? runs.ThenByDescending(key) : runs.ThenBy(key);

    public async Task<RunDetails?> GetAsync(int id, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var summary = await Summaries(db.Runs.AsNoTracking().Where(r => r.Id == id)).SingleOrDefaultAsync(cancellation);
        if (summary is null) return null;
        var extra = await db.Runs.AsNoTracking().Where(r => r.Id == id)
            .Select(r => new { r.ConfigJson, r.CodeVersion, r.CheckpointDirectory, r.HeartbeatAt, r.Notes }).SingleAsync(cancellation);
        var metrics = await db.RunMetrics.AsNoTracking().Where(m => m.RunId == id).OrderBy(m => m.Step).ToListAsync(cancellation);
        return new RunDetails(summary, extra.ConfigJson, extra.CodeVersion, extra.CheckpointDirectory, extra.HeartbeatAt, metrics, extra.Notes);
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

    /// <summary>The runs' statuses as the hub sends them (unknown ids are left out): a feed's history when a page follows many runs.</summary>
    public async Task<IReadOnlyList<Events.RunStatusMessage>> StatusesAsync(IReadOnlyCollection<int> runIds, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var runs = await db.Runs.AsNoTracking().Where(r => runIds.Contains(r.Id)).OrderBy(r => r.Id).ToListAsync(cancellation);
        return runs.Select(Events.RunStatusMessage.From).ToList();
    }

    /// <summary>Runs as listed; <see cref="RunSummary.Step"/> is the step shown (<see cref="RunSteps.Shown(RunStatus, int, int)"/>).</summary>
    internal static IQueryable<RunSummary> Summaries(IQueryable<Run> runs) =>
        runs.Select(r => new RunSummary(r.Id, r.DatasetId, r.Dataset!.Name, r.StudyId, r.HoldoutCenter, r.Algorithm, r.Seed, r.Status,
            RunSteps.Shown(r.Status, r.Step, r.TotalSteps), r.TotalSteps, r.CancelRequested, r.CreatedAt, r.StartedAt, r.FinishedAt, r.Device, r.Error,
            r.Name, r.Tags.Select(t => t.Name).OrderBy(n => n).ToList(), r.SelectedStep, r.SelectedAccuracy, r.SelectedF1Macro));
}
