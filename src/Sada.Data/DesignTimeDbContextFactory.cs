using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Sada.Data;

/// <summary>Used only by `dotnet ef migrations add`, so the tool needs no web host.</summary>
public class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<SadaDbContext>
{
    public SadaDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SadaDbContext>()
            .UseSqlite(SadaDataServices.SqliteConnectionString("design-time.db"))
            .Options);
}
