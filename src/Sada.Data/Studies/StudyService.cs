using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Sada.Core.Algorithms;
using Sada.Data.Datasets;
using Sada.Data.Entities;
using Sada.Data.Runs;

namespace Sada.Data.Studies;

/// <summary>One row of a study: a name ("SADA", "SADA w/o SBA", "ERM") and its config (the seed is the grid's).</summary>
public sealed record StudyVariant(string Name, AlgorithmConfig Config);

/// <summary>
/// A study to create: variants x held-out centers (null: every center of the dataset) x seeds, one queued run per cell.
/// </summary>
public sealed record StudyRequest(string Name, string Dataset, IReadOnlyList<StudyVariant> Variants, IReadOnlyList<string>? HeldOut, IReadOnlyList<int> Seeds);

/// <summary>The grid a study was created from, as stored in <see cref="Study.GridJson"/> (full configs, seed 0).</summary>
public sealed record StudyGrid(IReadOnlyList<StudyVariant> Variants, IReadOnlyList<string> HeldOut, IReadOnlyList<int> Seeds)
{
    public string ToJson() => JsonSerializer.Serialize(this, AlgorithmConfig.Json);

    public static StudyGrid FromJson(string json) =>
        JsonSerializer.Deserialize<StudyGrid>(json, AlgorithmConfig.Json) ?? throw new ArgumentException("empty study grid");
}

public sealed record StudySummary(int Id, string Name, int DatasetId, string Dataset, DateTime CreatedAt, int Runs, int Completed);

public sealed record StudyDetails(int Id, string Name, int DatasetId, string Dataset, DateTime CreatedAt, StudyGrid Grid, IReadOnlyList<RunSummary> Runs);

/// <summary>Creates studies (a whole grid of queued runs in one transaction), reads them back and builds their tables.</summary>
public sealed class StudyService(IDbContextFactory<SadaDbContext> dbs, TimeProvider clock, RunLimits? limits = null)
{
    // Without limits (a test's own instance) only the config's own checks apply: no weight roots, no memory check, default study caps.
    readonly RunLimits _limits = limits ?? new RunLimits();
    readonly bool _serverChecks = limits is not null;

    /// <summary>
    /// Checks the whole request (dataset, unique non-empty variant names and configs, valid configs, held-out centers of the
    /// dataset, distinct seeds), then writes the study and one queued run per (variant, held-out center, seed) in one
    /// transaction. Refusals are <see cref="RunRequestException"/>s naming each field.
    /// </summary>
    public async Task<Study> CreateAsync(StudyRequest request, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var dataset = await DatasetLookup.RequireAsync(db, request.Dataset, cancellation: cancellation);
        var centers = await DatasetLookup.CentersAsync(db, dataset.Id, cancellation);
        var errors = new RequestErrors();

        if (string.IsNullOrWhiteSpace(request.Name)) errors.Add("name", "a study name is required");
        if (request.Variants.Count == 0) errors.Add("variants", "at least one variant is required");
        var variants = new List<StudyVariant>();
        var byConfig = new Dictionary<string, string>();
        for (int i = 0; i < request.Variants.Count; i++)
        {
            var v = request.Variants[i];
            var config = v.Config with { Seed = 0 };
            if (string.IsNullOrWhiteSpace(v.Name)) errors.Add($"variants[{i}].name", "a variant name is required");
            else if (variants.Any(x => x.Name == v.Name.Trim())) errors.Add($"variants[{i}].name", $"the name '{v.Name}' is used twice");
            PartialConfig.Check(config, errors, $"variants[{i}].config", _serverChecks ? _limits.CheckWeights : null);
            // The table finds a run's variant by its config, so two variants may not share one.
            if (byConfig.TryGetValue(config.ToJson(), out var twin)) errors.Add($"variants[{i}].config", $"the same config as variant '{twin}'");
            else byConfig[config.ToJson()] = v.Name;
            variants.Add(new StudyVariant(v.Name?.Trim() ?? "", config));
        }

        var heldOut = new List<string>();
        if (request.HeldOut is null) heldOut.AddRange(centers);
        else if (request.HeldOut.Count == 0) errors.Add("heldOut", $"at least one held-out center, or \"all\", is required; the centers are {string.Join(", ", centers)}");
        else
            for (int i = 0; i < request.HeldOut.Count; i++)
                if (RunRequests.ResolveCenter(request.HeldOut[i], centers, dataset.Name, errors, "heldOut") is { } c)
                {
                    if (heldOut.Contains(c)) errors.Add("heldOut", $"'{c}' is listed twice");
                    else heldOut.Add(c);
                }
        if (heldOut.Count > 0 && heldOut.Count == centers.Count && centers.Count < 2)
            errors.Add("heldOut", "leave-one-center-out needs at least two centers");

        if (request.Seeds.Count == 0) errors.Add("seeds", "at least one seed is required");
        if (request.Seeds.Distinct().Count() != request.Seeds.Count) errors.Add("seeds", "seeds must be distinct");
        if (request.Seeds.Any(s => s < 0)) errors.Add("seeds", "seeds must not be negative");
        if (request.Seeds.Count > _limits.MaxStudySeeds)
            errors.Add("seeds", $"{request.Seeds.Count:N0} seeds; a study may have at most {_limits.MaxStudySeeds:N0} (Sada:Runs:MaxStudySeeds)");
        long total = (long)request.Variants.Count * Math.Max(1, request.HeldOut?.Count ?? centers.Count) * request.Seeds.Count;
        if (total > _limits.MaxStudyRuns)
            errors.Add("variants", $"{request.Variants.Count} variants x {Math.Max(1, request.HeldOut?.Count ?? centers.Count)} held-out centers x "
                + $"{request.Seeds.Count} seeds = {total:N0} runs; a study may queue at most {_limits.MaxStudyRuns:N0} (Sada:Runs:MaxStudyRuns)");
        if (_serverChecks && !errors.Any && variants.Count > 0)
        {
            var imageBytes = await DecodedImageBytes.ByCenterAsync(db, dataset.Id, cancellation);
            for (int i = 0; i < variants.Count; i++)
                foreach (var center in heldOut)
                    _limits.CheckMemory(variants[i].Config, centers.Count - 1, DecodedImageBytes.Training(imageBytes, center), errors, $"variants[{i}].config");
        }
        errors.ThrowIfAny();

        var now = Now;
        var grid = new StudyGrid(variants, heldOut, request.Seeds.ToList());
        var study = new Study { Name = request.Name.Trim(), DatasetId = dataset.Id, GridJson = grid.ToJson(), CreatedAt = now };
        foreach (var variant in variants)
            foreach (var center in heldOut)
                foreach (int seed in request.Seeds)
                    study.Runs.Add(RunRequests.NewRun(dataset.Id, center, variant.Config with { Seed = seed }, now));

        await using var transaction = await db.Database.BeginTransactionAsync(cancellation);
        db.Studies.Add(study);
        await db.SaveChangesAsync(cancellation);
        await transaction.CommitAsync(cancellation);
        return study;
    }

    public async Task<IReadOnlyList<StudySummary>> ListAsync(CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        return await db.Studies.AsNoTracking().OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id)
            .Select(s => new StudySummary(s.Id, s.Name, s.DatasetId, s.Dataset!.Name, s.CreatedAt, s.Runs.Count, s.Runs.Count(r => r.Status == RunStatus.Completed)))
            .ToListAsync(cancellation);
    }

    public async Task<StudyDetails?> GetAsync(int id, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var study = await db.Studies.AsNoTracking().Where(s => s.Id == id)
            .Select(s => new { s.Id, s.Name, s.DatasetId, Dataset = s.Dataset!.Name, s.CreatedAt, s.GridJson }).SingleOrDefaultAsync(cancellation);
        if (study is null) return null;
        var runs = await RunCatalog.Summaries(db.Runs.AsNoTracking().Where(r => r.StudyId == id).OrderBy(r => r.Id)).ToListAsync(cancellation);
        return new StudyDetails(study.Id, study.Name, study.DatasetId, study.Dataset, study.CreatedAt, StudyGrid.FromJson(study.GridJson), runs);
    }

    /// <summary>The study's table: rows in the grid's variant order, columns its held-out centers, each cell expecting its seeds. Null for an unknown study.</summary>
    public async Task<StudyTable?> TableAsync(int id, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var study = await db.Studies.AsNoTracking().Where(s => s.Id == id).Select(s => new { s.Name, s.GridJson }).SingleOrDefaultAsync(cancellation);
        if (study is null) return null;
        var grid = StudyGrid.FromJson(study.GridJson);
        var variantOf = grid.Variants.ToDictionary(v => (v.Config with { Seed = 0 }).ToJson(), v => v.Name);
        var runs = await TableRunsAsync(db, db.Runs.Where(r => r.StudyId == id), variantOf, cancellation);
        return StudyTable.Build(study.Name, runs, grid.Variants.Select(v => v.Name), grid.HeldOut, grid.Seeds);
    }

    /// <summary>
    /// The table of hand-picked runs: one row per run, never merged with another (two runs with the same config and seed
    /// are two rows), named "#id" and the run's name, else its algorithm and the config fields that differ from that
    /// algorithm's defaults with its seed (e.g. "#12 sada K=5 seed 1"); each cell is that one run's selected evaluation.
    /// </summary>
    public async Task<StudyTable> TableForRunsAsync(string title, IReadOnlyCollection<int> runIds, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var names = await db.Runs.AsNoTracking().Where(r => runIds.Contains(r.Id)).Select(r => new { r.Id, r.Name }).ToDictionaryAsync(r => r.Id, r => r.Name, cancellation);
        var runs = (await TableRunsAsync(db, db.Runs.Where(r => runIds.Contains(r.Id)), new Dictionary<string, string>(), cancellation))
            .OrderBy(r => r.RunId)
            // The row is the run: its seed goes into its label and every row expects one seed.
            .Select(r => r with { Variant = RunLabel(r.RunId, names.GetValueOrDefault(r.RunId), r.Variant, r.Seed), Seed = 0 })
            .ToList();
        return StudyTable.Build(title, runs, centers: runs.Select(r => r.HeldOut).Distinct().Order(StringComparer.Ordinal), seeds: [0]);
    }

    /// <summary>A hand-picked run's row label: "#12 my name", else "#12 sada init=imagenet seed 1".</summary>
    public static string RunLabel(int runId, string? name, string described, int seed) =>
        string.IsNullOrWhiteSpace(name) ? $"#{runId} {described} seed {seed}" : $"#{runId} {name.Trim()}";

    /// <summary>The ids among <paramref name="runIds"/> that no run has.</summary>
    public async Task<IReadOnlyList<int>> MissingRunsAsync(IReadOnlyCollection<int> runIds, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var found = await db.Runs.Where(r => runIds.Contains(r.Id)).Select(r => r.Id).ToListAsync(cancellation);
        return runIds.Except(found).Order().ToList();
    }

    /// <summary>
    /// The "full ablation" preset: SADA with the method's defaults; SBA, LA, DISC (contrast none) and the two stages each
    /// switched off alone; and ERM; every held-out center; seeds 0, 1, 2. <paramref name="baseConfig"/> (e.g. fewer steps)
    /// is the SADA row every other row departs from.
    /// </summary>
    public static StudyRequest FullAblation(string name, string dataset, AlgorithmConfig? baseConfig = null, int seeds = 3)
    {
        var sada = (baseConfig ?? new AlgorithmConfig()) with { Algorithm = "sada", Seed = 0 };
        return new StudyRequest(name, dataset,
        [
            new("SADA", sada),
            new("SADA w/o SBA", sada with { StainAugmentation = false }),
            new("SADA w/o LA", sada with { LaWeight = 0 }),
            new("SADA w/o DISC", sada with { Contrast = ContrastMode.None }),
            new("SADA single-stage", sada with { TwoStage = false }),
            new("ERM", sada with { Algorithm = "erm" }),
        ], HeldOut: null, Enumerable.Range(0, seeds).ToList());
    }

    static async Task<List<TableRun>> TableRunsAsync(SadaDbContext db, IQueryable<Run> runs, Dictionary<string, string> variantOf, CancellationToken cancellation)
    {
        var rows = await runs.AsNoTracking().Select(r => new { r.Id, r.HoldoutCenter, r.Seed, r.Status, r.ConfigJson, r.CollapseStep }).ToListAsync(cancellation);
        var ids = rows.Select(r => r.Id).ToList();
        var metrics = (await db.RunMetrics.AsNoTracking().Where(m => ids.Contains(m.RunId))
                .Select(m => new { m.RunId, m.Step, m.ValidationAccuracy, m.HeldOutAccuracy, m.HeldOutF1Macro }).ToListAsync(cancellation))
            .ToLookup(m => m.RunId, m => new EvaluationPoint(m.Step, m.ValidationAccuracy, m.HeldOutAccuracy, m.HeldOutF1Macro));
        return rows.Select(r =>
        {
            var config = AlgorithmConfig.FromJson(r.ConfigJson) with { Seed = 0 };
            var variant = variantOf.TryGetValue(config.ToJson(), out var name) ? name : Describe(config);
            return new TableRun(r.Id, variant, r.HoldoutCenter, r.Seed, r.Status, metrics[r.Id].ToList(), r.CollapseStep);
        }).ToList();
    }

    /// <summary>
    /// The algorithm, its initialisation (always: a comparison must say where each row started), and the fields that
    /// differ from its defaults, as JSON writes them, e.g. "sada init=imagenet stainAugmentation=false".
    /// </summary>
    public static string Describe(AlgorithmConfig config)
    {
        var defaults = JsonSerializer.SerializeToElement(new AlgorithmConfig { Algorithm = config.Algorithm, Init = config.Init }, AlgorithmConfig.Json);
        var actual = JsonSerializer.SerializeToElement(config with { Seed = 0 }, AlgorithmConfig.Json);
        var init = $"init={config.Init.ToString().ToLowerInvariant()}";
        var differences = actual.EnumerateObject()
            .Where(p => !defaults.TryGetProperty(p.Name, out var d) || d.GetRawText() != p.Value.GetRawText())
            .Select(p => $"{p.Name}={(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())}");
        return string.Join(" ", new[] { config.Algorithm, init }.Concat(differences));
    }

    DateTime Now => clock.GetUtcNow().UtcDateTime;
}
