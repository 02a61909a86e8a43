using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Sada.Data;

/// <summary>
/// The same model on PostgreSQL. A type of its own only so that EF Core keeps its migrations (migrations/postgres/)
/// apart from the SQLite ones, which stay bound to <see cref="SadaDbContext"/> with their ids unchanged.
/// </summary>
public sealed class PostgresSadaDbContext(DbContextOptions<SadaDbContext> options) : SadaDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // Every time the workbench stores is UTC; Npgsql's timestamptz refuses a DateTime whose Kind is not Utc (a default
        // value, one read back from SQLite), so the kind is stated on the way in and on the way out.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : DateTime.SpecifyKind(v, DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
