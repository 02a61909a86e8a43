using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Sada.Data;

public static class SadaDataServices
{
    /// <summary>Registers the database on the SQLite file at <paramref name="databasePath"/>.</summary>
    public static IServiceCollection AddSadaData(this IServiceCollection services, string databasePath) =>
        services.AddSadaData(new SadaDatabaseOptions(), databasePath);

    /// <summary>
    /// Registers the database the options name: the SQLite file at <paramref name="sqlitePath"/>, or PostgreSQL at
    /// <see cref="SadaDatabaseOptions.ConnectionString"/>. Services take <c>IDbContextFactory&lt;SadaDbContext&gt;</c> either way.
    /// </summary>
    public static IServiceCollection AddSadaData(this IServiceCollection services, SadaDatabaseOptions database, string sqlitePath)
    {
        database.Validate();
        services.AddSingleton(database);
        services.AddDbContextFactory<SadaDbContext, ProviderDbContextFactory>(o => Configure(o, database, sqlitePath));
        return services;
    }

    /// <summary>A context on the configured database, for the CLI and tests that build no service provider.</summary>
    public static SadaDbContext CreateContext(SadaDatabaseOptions database, string sqlitePath)
    {
        database.Validate();
        var builder = new DbContextOptionsBuilder<SadaDbContext>();
        Configure(builder, database, sqlitePath);
        var options = builder.Options;
        return database.IsPostgres ? new PostgresSadaDbContext(options) : new SadaDbContext(options);
    }

    static void Configure(DbContextOptionsBuilder builder, SadaDatabaseOptions database, string sqlitePath)
    {
        if (database.IsPostgres) builder.UseNpgsql(database.ConnectionString);
        else builder.UseSqlite(SqliteConnectionString(sqlitePath));
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
    /// read while the training worker writes. Returns the last applied migration. Several processes may start at once on
    /// one PostgreSQL database: EF Core's migration lock lets one migrate while the others wait.
    /// </summary>
    public static string? MigrateSadaDatabase(this SadaDbContext db)
    {
        if (db.Database.IsSqlite())
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(db.Database.GetDbConnection().DataSource));
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        }
        db.Database.Migrate();
        if (db.Database.IsSqlite()) db.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        return db.Database.GetAppliedMigrations().LastOrDefault();
    }
}
