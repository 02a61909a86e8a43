using Sada.Core.Configuration;
using Sada.Core.Runtime;
using Sada.Data;
using Sada.Workbench.Accounts;

namespace Sada.Workbench.Health;

public static class HealthApi
{
    /// <summary>Paths and raw errors are null for anyone but a signed-in admin.</summary>
    public sealed record HealthReport(string Status, TorchStatus Torch, DatabaseHealth Database, string? DataDirectory);
    public sealed record DatabaseHealth(bool Reachable, string? Path, string? Migration, string? Error);

    public const string DetailsForAdmins = "details (paths, errors) are shown to a signed-in admin";

    /// <summary>
    /// GET /health: 200 when the database answers and the torch backend loaded, 503 otherwise; always a JSON report.
    /// Anyone may ask, so only an admin sees server paths and raw error messages (which may hold paths too).
    /// </summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", async (HttpContext http, TorchStatus torch, SadaOptions options, SadaDatabaseOptions databaseOptions, DatabaseStatus status, CancellationToken ct) =>
        {
            bool admin = http.User.IsInRole(WorkbenchRoles.Admin);
            string? Shown(string? value) => admin ? value : null;
            // The SQLite file, or the PostgreSQL server and database without credentials.
            var where = databaseOptions.Describe(options.ResolveDatabasePath());
            DatabaseHealth database;
            try
            {
                var migration = await status.LastMigrationAsync(ct);
                database = new DatabaseHealth(true, Shown(where), migration, null);
            }
            catch (Exception e)
            {
                database = new DatabaseHealth(false, Shown(where), null, admin ? e.Message : $"the database did not answer; {DetailsForAdmins}");
            }
            bool healthy = database.Reachable && torch.Loaded;
            var torchShown = admin ? torch : torch with
            {
                NativeLibrary = null,
                Error = torch.Error is null ? null : $"the torch backend did not load; {DetailsForAdmins}",
            };
            var report = new HealthReport(healthy ? "healthy" : "unhealthy", torchShown, database, Shown(options.ResolveDataDirectory()));
            return Results.Json(report, statusCode: healthy ? 200 : 503);
        });
        return app;
    }
}
