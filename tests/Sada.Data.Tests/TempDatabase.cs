using Microsoft.EntityFrameworkCore;

namespace Sada.Data.Tests;

/// <summary>A SQLite database built from the migrations in a fresh temporary folder.</summary>
public sealed class TempDatabase : IDisposable
{
    public string Directory { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sada-data-tests-" + Guid.NewGuid().ToString("N"));
    public string Path => System.IO.Path.Combine(Directory, "sada.db");

    public TempDatabase()
    {
        using var db = Open();
        db.MigrateSadaDatabase();
    }

    public SadaDbContext Open() =>
        new(new DbContextOptionsBuilder<SadaDbContext>().UseSqlite(SadaDataServices.SqliteConnectionString(Path)).Options);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
