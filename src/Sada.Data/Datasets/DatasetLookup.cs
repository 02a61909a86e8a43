using Microsoft.EntityFrameworkCore;
using Sada.Data.Entities;
using Sada.Data.Runs;

namespace Sada.Data.Datasets;

/// <summary>Finds a dataset by name, or by id when the text is a number no dataset is named after.</summary>
public static class DatasetLookup
{
    public static async Task<Dataset?> FindAsync(SadaDbContext db, string nameOrId, CancellationToken cancellation = default)
    {
        var byName = await db.Datasets.AsNoTracking().SingleOrDefaultAsync(d => d.Name == nameOrId, cancellation);
        if (byName is not null || !int.TryParse(nameOrId, out int id)) return byName;
        return await db.Datasets.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellation);
    }

    /// <summary>The dataset, or a not-found <see cref="RunRequestException"/> under <paramref name="field"/> naming it and the known ones.</summary>
    public static async Task<Dataset> RequireAsync(SadaDbContext db, string? nameOrId, string field = "dataset", CancellationToken cancellation = default)
    {
        if (string.IsNullOrWhiteSpace(nameOrId))
        {
            var errors = new RequestErrors();
            errors.Add(field, "a dataset name or id is required");
            errors.ThrowIfAny();
        }
        return await FindAsync(db, nameOrId!, cancellation) ?? throw RunRequestException.NotFound(field,
            $"no dataset named '{nameOrId}'" + (await db.Datasets.AnyAsync(cancellation)
                ? $"; the datasets are {string.Join(", ", await db.Datasets.OrderBy(d => d.Name).Select(d => d.Name).ToListAsync(cancellation))}"
                : "; there are none yet"));
    }

    /// <summary>The dataset's center names, in name order.</summary>
    public static Task<List<string>> CentersAsync(SadaDbContext db, int datasetId, CancellationToken cancellation = default) =>
        db.Centers.AsNoTracking().Where(c => c.DatasetId == datasetId).OrderBy(c => c.Name).Select(c => c.Name).ToListAsync(cancellation);
}
