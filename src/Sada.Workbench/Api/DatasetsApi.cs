using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Sada.Data;
using Sada.Data.Datasets;
using Sada.Workbench.Accounts;

namespace Sada.Workbench.Api;

/// <summary>/api/datasets: the registered datasets, their centers and class counts.</summary>
public static class DatasetsApi
{
    public sealed record CenterDto(int Id, string Name, int ImageCount, IReadOnlyDictionary<string, int> ClassCounts, JsonElement? StainFingerprint);

    public sealed record DatasetDto(int Id, string Name, string? Description, bool IsSynthetic, DateTime CreatedAt, int ImageCount,
        IReadOnlyList<string> Classes, IReadOnlyList<CenterDto> Centers, int RunCount);

    public static IEndpointRouteBuilder MapDatasetsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/datasets").WithTags("Datasets").RequireAuthorization(WorkbenchPolicies.Read);
        api.MapGet("/", List);
        api.MapGet("/{nameOrId}", Get);
        return app;
    }

    /// <summary>Every dataset with its number of centers and images and its classes.</summary>
    static Ok<IReadOnlyList<DatasetSummary>> List(DatasetCatalog catalog) => TypedResults.Ok(catalog.List());

    /// <summary>One dataset by name (or id): per center its image and class counts and its stain fingerprint when computed.</summary>
    static async Task<Results<Ok<DatasetDto>, ProblemHttpResult>> Get(string nameOrId, SadaDbContext db, DatasetCatalog catalog, CancellationToken ct)
    {
        var dataset = await DatasetLookup.FindAsync(db, nameOrId, ct);
        if (dataset is null) return ApiProblems.NotFound($"no dataset named '{nameOrId}'");
        var d = catalog.Show(dataset.Name);
        return TypedResults.Ok(new DatasetDto(d.Id, d.Name, d.Description, d.IsSynthetic, d.CreatedAt, d.ImageCount, d.Classes,
            d.Centers.Select(c => new CenterDto(c.Id, c.Name, c.ImageCount, c.ClassCounts, ApiProblems.Raw(c.StainFingerprintJson))).ToList(), d.RunCount));
    }
}
