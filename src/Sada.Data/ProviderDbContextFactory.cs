using Microsoft.EntityFrameworkCore;

namespace Sada.Data;

/// <summary>
/// Hands out <see cref="SadaDbContext"/>s of the configured provider: on PostgreSQL, the <see cref="PostgresSadaDbContext"/>
/// subtype, whose migrations are PostgreSQL's.
/// </summary>
public sealed class ProviderDbContextFactory(DbContextOptions<SadaDbContext> options, SadaDatabaseOptions database) : IDbContextFactory<SadaDbContext>
{
    public SadaDbContext CreateDbContext() => database.IsPostgres ? new PostgresSadaDbContext(options) : new SadaDbContext(options);
}
