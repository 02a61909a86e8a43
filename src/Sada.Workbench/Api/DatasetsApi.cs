using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Sada.Data;
using Sada.Data.Datasets;
using Sada.Workbench.Accounts;
using Sada.Workbench.Datasets;

namespace Sada.Workbench.Api;

/// <summary>/api/datasets: the registered datasets, their centers and class counts; a center's contact sheet and single cells as PNG.</summary>
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
        api.MapGet("/{nameOrId}/centers/{center}/sheet.png", Sheet);
        api.MapGet("/{nameOrId}/cells/{imageId:long}.png", Cell);
        return app;
    }

    /// <summary>Every dataset with its number of centers and images and its classes.</summary>
    static Ok<IReadOnlyList<DatasetSummary>> List(DatasetCatalog catalog) => TypedResults.Ok(catalog.List());

    /// <summary>One dataset by name (or id): per center its image and class counts and its stain fingerprint when computed.</summary>
    static Results<Ok<DatasetDto>, ProblemHttpResult> Get(string nameOrId, DatasetCatalog catalog)
    {
        var dataset = catalog.FindByNameOrId(nameOrId);
        if (dataset is null) return ApiProblems.NotFound($"no dataset named '{nameOrId}'");
        var d = catalog.Show(dataset.Name);
        return TypedResults.Ok(new DatasetDto(d.Id, d.Name, d.Description, d.IsSynthetic, d.CreatedAt, d.ImageCount, d.Classes,
            d.Centers.Select(c => new CenterDto(c.Id, c.Name, c.ImageCount, c.ClassCounts, ApiProblems.Raw(c.StainFingerprintJson))).ToList(), d.RunCount));
    }

    /// <summary>
    /// One center's contact sheet (a column per class). Its ETag is made of the stored files' content hashes, so a browser
    /// revalidates it cheaply and gets 304 until the center's images change.
    /// </summary>
    static async Task<IResult> Sheet(string nameOrId, string center, HttpContext http, DatasetBrowser browser)
    {
        var known = http.Request.Headers.IfNoneMatch.ToString();
        var sheet = await browser.SheetAsync(nameOrId, center, string.IsNullOrEmpty(known) ? null : known);
        if (sheet is null) return ApiProblems.NotFound($"no center '{center}' in a dataset '{nameOrId}'");
        http.Response.Headers.ETag = sheet.ETag;
        http.Response.Headers.CacheControl = "private, no-cache";
        return sheet.Png.Length == 0 ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.File(sheet.Png, "image/png");
    }

    /// <summary>One stored cell re-encoded as PNG (TIFF and the rest alike); named by its content, so it never changes.</summary>
    static async Task<IResult> Cell(string nameOrId, long imageId, HttpContext http, DatasetBrowser browser)
    {
        var cell = await browser.CellPngAsync(nameOrId, imageId);
        if (cell is not { } c) return ApiProblems.NotFound($"no cell #{imageId} in a dataset '{nameOrId}'");
        http.Response.Headers.ETag = c.ETag;
        http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
        return TypedResults.File(c.Png, "image/png");
    }
}
