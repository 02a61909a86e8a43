using Microsoft.EntityFrameworkCore;

namespace Sada.Data;

/// <summary>How much the workbench holds, for its home page.</summary>
public sealed record Counts(int Datasets, int Runs);

/// <summary>Counts of stored datasets and runs.</summary>
public sealed class StoredCounts(IDbContextFactory<SadaDbContext> dbs)
{
    public async Task<Counts> GetAsync(CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        return new Counts(await db.Datasets.CountAsync(cancellation), await db.Runs.CountAsync(cancellation));
    }
}
