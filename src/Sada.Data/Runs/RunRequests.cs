using Microsoft.EntityFrameworkCore;
using Sada.Core.Algorithms;
using Sada.Data.Datasets;
using Sada.Data.Entities;

namespace Sada.Data.Runs;

/// <summary>
/// A run to queue: a dataset (name or id), the held-out center, the full config, and optionally the seed
/// (overrides <see cref="AlgorithmConfig.Seed"/>) and the study it belongs to.
/// </summary>
public sealed record RunRequest(string Dataset, string HeldOut, AlgorithmConfig Config, int? Seed = null, int? StudyId = null);

/// <summary>
/// Creates queued runs. Every request is checked before anything is written: the dataset exists, the held-out
/// center is one of its centers, the config is valid; a refusal is a <see cref="RunRequestException"/> naming each field.
/// </summary>
public sealed class RunRequests(IDbContextFactory<SadaDbContext> dbs, TimeProvider clock, RunLimits? limits = null)
{
    // Without limits (a test's own instance) only the config's own checks apply: no weight roots, no memory check, default study caps.
    readonly RunLimits _limits = limits ?? new RunLimits();
    readonly bool _serverChecks = limits is not null;

    public async Task<Run> CreateAsync(RunRequest request, CancellationToken cancellation = default) =>
        (await CreateManyAsync([request], cancellation))[0];

    /// <summary>
    /// Checks every request, then queues them all in one transaction: several held-out centers or seeds from one form
    /// are queued together or not at all. The same problem in several requests is reported once.
    /// </summary>
    public async Task<IReadOnlyList<Run>> CreateManyAsync(IReadOnlyList<RunRequest> requests, CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        var errors = new RequestErrors();
        if (requests.Count == 0) errors.Add("heldOut", "at least one run (a held-out center and a seed) is required");
        var runs = new List<Run>();
        var now = Now;
        foreach (var request in requests)
        {
            var dataset = await DatasetLookup.RequireAsync(db, request.Dataset, cancellation: cancellation);
            var centers = await DatasetLookup.CentersAsync(db, dataset.Id, cancellation);
            var heldOut = ResolveCenter(request.HeldOut, centers, dataset.Name, errors, "heldOut");
            var config = request.Seed is int seed ? request.Config with { Seed = seed } : request.Config;
            if (PartialConfig.Check(config, errors, checkWeights: _serverChecks ? _limits.CheckWeights : null) && heldOut is not null && _serverChecks)
                _limits.CheckMemory(config, centers.Count - 1,
                    DecodedImageBytes.Training(await DecodedImageBytes.ByCenterAsync(db, dataset.Id, cancellation), heldOut), errors, "config");
            if (request.StudyId is int studyId)
            {
                var studyDataset = await db.Studies.Where(s => s.Id == studyId).Select(s => (int?)s.DatasetId).SingleOrDefaultAsync(cancellation);
                if (studyDataset is null) throw RunRequestException.NotFound("study", $"no study #{studyId}");
                if (studyDataset != dataset.Id) errors.Add("study", $"study #{studyId} is on another dataset than '{dataset.Name}'");
            }
            if (heldOut is not null) runs.Add(NewRun(dataset.Id, heldOut, config, now, request.StudyId));
        }
        errors.ThrowIfAny();

        db.Runs.AddRange(runs);
        // One SaveChanges is one transaction: all rows or none.
        await db.SaveChangesAsync(cancellation);
        return runs;
    }

    /// <summary>A queued run row holding the full config; the config's seed is the run's.</summary>
    internal static Run NewRun(int datasetId, string heldOut, AlgorithmConfig config, DateTime createdAt, int? studyId = null) => new()
    {
        DatasetId = datasetId,
        StudyId = studyId,
        HoldoutCenter = heldOut,
        Algorithm = config.Algorithm,
        ConfigJson = config.ToJson(),
        Seed = config.Seed,
        TotalSteps = config.Steps,
        Status = RunStatus.Queued,
        CreatedAt = createdAt,
    };

    /// <summary>The center's stored name (an exact match, else a unique case-insensitive one), or an error naming the dataset's centers.</summary>
    internal static string? ResolveCenter(string? name, IReadOnlyList<string> centers, string dataset, RequestErrors errors, string field)
    {
        var found = string.IsNullOrWhiteSpace(name) ? null
            : centers.FirstOrDefault(c => c == name)
              ?? (centers.Count(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase)) == 1
                  ? centers.Single(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase)) : null);
        if (found is null)
            errors.Add(field, (string.IsNullOrWhiteSpace(name) ? "a held-out center is required" : $"'{name}' is not a center of dataset '{dataset}'")
                + $"; its centers are {string.Join(", ", centers)}");
        return found;
    }

    DateTime Now => clock.GetUtcNow().UtcDateTime;
}
