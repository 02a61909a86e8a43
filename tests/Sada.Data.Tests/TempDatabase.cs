using Microsoft.EntityFrameworkCore;
using Sada.Tests.Shared;

namespace Sada.Data.Tests;

/// <summary>
/// A database built from the migrations, of its own: a SQLite file in a fresh temporary folder, or a fresh database on the
/// test PostgreSQL server (<see cref="TestPostgres"/>).
/// </summary>
public sealed class TempDatabase : IDisposable
{
    public const string Sqlite = SadaDatabaseOptions.Sqlite;
    public const string Postgres = SadaDatabaseOptions.Postgres;

    readonly SadaDatabaseOptions _options;

    public string Directory { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sada-data-tests-" + Guid.NewGuid().ToString("N"));
    /// <summary>The SQLite file (SQLite only).</summary>
    public string Path => System.IO.Path.Combine(Directory, "sada.db");
    public string Provider => _options.Provider;
    public bool IsPostgres => _options.IsPostgres;

    public TempDatabase() : this(Sqlite) { }

    public TempDatabase(string provider)
    {
        _options = provider == Postgres
            ? new SadaDatabaseOptions { Provider = Postgres, ConnectionString = TestPostgres.CreateDatabase() }
            : new SadaDatabaseOptions();
        using var db = Open();
        db.MigrateSadaDatabase();
    }

    public SadaDbContext Open() => SadaDataServices.CreateContext(_options, Path);

    public void Dispose()
    {
        if (IsPostgres) TestPostgres.DropDatabase(_options.ConnectionString!);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
