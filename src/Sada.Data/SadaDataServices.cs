using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Sada.Data;

public static class SadaDataServices
{
    /// <summary>Registers the database on the SQLite file at <paramref name="databasePath"/>.</summary>
    public static IServiceCollection AddSadaData(this IServiceCollection services, string databasePath)
    {
        var connectionString = SqliteConnectionString(databasePath);
        services.AddDbContextFactory<SadaDbContext>(o => o.UseSqlite(connectionString));
        return services;
    }

    public static string SqliteConnectionString(string databasePath) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Pooling = true,
            // Writers wait (and retry) up to this long for a lock instead of failing at once.
            DefaultTimeout = 30,
        }.ToString();

    /// <summary>
    /// Applies pending migrations (never EnsureCreated) and switches SQLite to WAL, so the web pages can
    /// read while the training worker writes. Returns the last applied migration.
    /// </summary>
    public static string? MigrateSadaDatabase(this SadaDbContext db)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(db.Database.GetDbConnection().DataSource));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        db.Database.Migrate();
        if (db.Database.IsSqlite()) db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        return db.Database.GetAppliedMigrations().LastOrDefault();
    }
}
