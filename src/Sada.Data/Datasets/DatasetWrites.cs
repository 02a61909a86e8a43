using Microsoft.EntityFrameworkCore;

namespace Sada.Data.Datasets;

/// <summary>
/// <see cref="DatasetImporter"/> and <see cref="DatasetCatalog.Delete"/> on a database context of their own per call, for
/// the workbench's long-lived services (the admin pages' service, the synthetic-set seeder): each import or deletion is
/// one unit of work, and no caller holds or knows a DbContext.
/// </summary>
public sealed class DatasetWrites(IDbContextFactory<SadaDbContext> dbs, ImageStore store)
{
    /// <summary>Runs one import (synchronous and long: callers put it on the thread pool).</summary>
    public ImportReport Import(Func<DatasetImporter, ImportReport> import)
    {
        ArgumentNullException.ThrowIfNull(import);
        using var db = dbs.CreateDbContext();
        return import(new DatasetImporter(db, store));
    }

    /// <summary>Deletes a dataset no run or study uses (<see cref="DatasetCatalog.Delete"/>).</summary>
    public DeletedDataset Delete(string name)
    {
        using var db = dbs.CreateDbContext();
        return new DatasetCatalog(db, store).Delete(name);
    }

    public bool Any()
    {
        using var db = dbs.CreateDbContext();
        return db.Datasets.Any();
    }

    /// <summary>Whether a dataset of that name exists and was made by the synthetic-set seeder.</summary>
    public bool IsSynthetic(string name)
    {
        using var db = dbs.CreateDbContext();
        return db.Datasets.Any(d => d.Name == name && d.IsSynthetic);
    }
}
