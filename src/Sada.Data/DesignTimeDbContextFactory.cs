using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Sada.Data;

/// <summary>Used only by `dotnet ef migrations add`, so the tool needs no web host (SQLite: --context SadaDbContext).</summary>
public class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<SadaDbContext>
{
    public SadaDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SadaDbContext>()
            .UseSqlite(SadaDataServices.SqliteConnectionString("design-time.db"))
            .Options);
}

/// <summary>The same for PostgreSQL's migrations (--context PostgresSadaDbContext); adding a migration connects to no server.</summary>
public class PostgresDesignTimeDbContextFactory : IDesignTimeDbContextFactory<PostgresSadaDbContext>
{
    public PostgresSadaDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SadaDbContext>().UseNpgsql("Host=localhost;Database=sada_design_time").Options);
}
