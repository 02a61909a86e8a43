using Microsoft.EntityFrameworkCore;
using Sada.Core.Configuration;
using Sada.Core.Runtime;
using Sada.Data;

namespace Sada.Workbench.Health;

public static class HealthApi
{
    public sealed record HealthReport(string Status, TorchStatus Torch, DatabaseHealth Database, string DataDirectory);
    public sealed record DatabaseHealth(bool Reachable, string Path, string? Migration, string? Error);

    /// <summary>GET /health: 200 when the database answers and the torch backend loaded, 503 otherwise; always a JSON report.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", async (TorchStatus torch, SadaOptions options, IDbContextFactory<SadaDbContext> dbs, CancellationToken ct) =>
        {
            DatabaseHealth database;
            try
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                var migration = (await db.Database.GetAppliedMigrationsAsync(ct)).LastOrDefault();
                database = new DatabaseHealth(true, options.ResolveDatabasePath(), migration, null);
            }
            catch (Exception e)
            {
                database = new DatabaseHealth(false, options.ResolveDatabasePath(), null, e.Message);
            }
            bool healthy = database.Reachable && torch.Loaded;
            var report = new HealthReport(healthy ? "healthy" : "unhealthy", torch, database, options.ResolveDataDirectory());
            return Results.Json(report, statusCode: healthy ? 200 : 503);
        });
        return app;
    }
}
