using Microsoft.EntityFrameworkCore;

namespace Sada.Data;

/// <summary>Whether the database answers, and the last migration applied to it: what the health endpoint reports.</summary>
public sealed class DatabaseStatus(IDbContextFactory<SadaDbContext> dbs)
{
    /// <summary>The last applied migration; throws whatever the provider throws when the database does not answer.</summary>
    public async Task<string?> LastMigrationAsync(CancellationToken cancellation = default)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        return (await db.Database.GetAppliedMigrationsAsync(cancellation)).LastOrDefault();
    }
}
