using Microsoft.Extensions.Configuration;

namespace Sada.Data;

/// <summary>
/// Which database engine holds the workbench's data, section Sada:Database. SQLite (a file in the data directory, named
/// by the plain string Sada:Database) is the embedded default; PostgreSQL is for several web instances and workers on
/// several machines sharing one database.
/// </summary>
public sealed record SadaDatabaseOptions
{
    public const string Section = "Sada:Database";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>"sqlite" (default) or "postgres".</summary>
    public string Provider { get; init; } = Sqlite;

    /// <summary>The Npgsql connection string when <see cref="Provider"/> is postgres (unused for SQLite).</summary>
    public string? ConnectionString { get; init; }

    /// <summary>
    /// Reads Sada:Database:Provider and Sada:Database:ConnectionString. Sada:Database may also be a plain string (the SQLite
    /// file's name, as before): then the provider is SQLite.
    /// </summary>
    public static SadaDatabaseOptions From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var options = new SadaDatabaseOptions
        {
            Provider = section["Provider"] ?? Sqlite,
            ConnectionString = section["ConnectionString"],
        };
        options.Validate();
        return options;
    }

    /// <summary>What to show for the database: the SQLite file, or the PostgreSQL host and database (never the password).</summary>
    public string Describe(string sqlitePath)
    {
        if (!IsPostgres) return sqlitePath;
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
        return $"postgres://{builder.Host}:{builder.Port}/{builder.Database}";
    }

    public bool IsPostgres => string.Equals(Provider.Trim(), Postgres, StringComparison.OrdinalIgnoreCase);

    /// <summary>Throws with the key named when the provider is unknown or PostgreSQL has no connection string.</summary>
    public void Validate()
    {
        var provider = Provider.Trim().ToLowerInvariant();
        if (provider is not (Sqlite or Postgres))
            throw new ArgumentException($"{Section}:Provider must be '{Sqlite}' or '{Postgres}', not '{Provider}'.");
        if (provider == Postgres && string.IsNullOrWhiteSpace(ConnectionString))
            throw new ArgumentException(
                $"{Section}:ConnectionString must be set when {Section}:Provider is '{Postgres}' (e.g. Host=db;Username=sada;Password=...;Database=sada).");
    }
}
