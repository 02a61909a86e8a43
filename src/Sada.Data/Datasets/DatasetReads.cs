using Microsoft.EntityFrameworkCore;

namespace Sada.Data.Datasets;

/// <summary>
/// <see cref="DatasetCatalog"/> on a database context of its own per call, for callers that live longer than a request
/// (pages' circuits, the worker, singletons): they read datasets without holding or knowing a DbContext.
/// </summary>
public sealed class DatasetReads(IDbContextFactory<SadaDbContext> dbs, ImageStore store)
{
    public async Task<T> ReadAsync<T>(Func<DatasetCatalog, T> read, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        await using var db = await dbs.CreateDbContextAsync(cancellation);
        return read(new DatasetCatalog(db, store));
    }
}
