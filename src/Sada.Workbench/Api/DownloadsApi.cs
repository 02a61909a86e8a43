using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Sada.Workbench.Accounts;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Api;

/// <summary>
/// A run's downloads: its weights (.safetensors under torchvision's names), its classifier (ONNX), its full config (JSON) and
/// its evaluations (CSV). Anyone who may see runs may download them (<see cref="WorkbenchPolicies.Read"/>); GETs, so the
/// run page's links work with the sign-in cookie.
/// </summary>
public static class DownloadsApi
{
    public static IEndpointRouteBuilder MapDownloadsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/runs/{id:int}").WithTags("Runs").RequireAuthorization(WorkbenchPolicies.Read);
        api.MapGet("/weights.safetensors", (int id, string? which, RunDownloads downloads, CancellationToken ct) =>
            WeightsAsync(id, which, downloads, "safetensors", "application/octet-stream", downloads.SafetensorsAsync, ct));
        api.MapGet("/model.onnx", (int id, string? which, RunDownloads downloads, CancellationToken ct) =>
            WeightsAsync(id, which, downloads, "onnx", "application/octet-stream", downloads.OnnxAsync, ct));
        api.MapGet("/config.json", ConfigAsync);
        api.MapGet("/metrics.csv", MetricsAsync);
        return app;
    }

    /// <summary>200 with the file; 400 naming <c>which</c>; 404 for an unknown run or a checkpoint it does not have (yet).</summary>
    static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> WeightsAsync(int id, string? which, RunDownloads downloads,
        string extension, string contentType, Func<RunDownloadSet, RunWeights, CancellationToken, Task<byte[]>> export, CancellationToken ct)
    {
        if (!RunDownloads.TryParseWhich(which, out var kind))
            return ApiProblems.Invalid("which", $"'{which}' is not a checkpoint: use one of {string.Join(", ", RunDownloads.Names)}");
        if (await downloads.FindAsync(id, ct) is not { } set) return ApiProblems.NotFound($"no run #{id}");
        if (set.Problem(kind) is { } problem) return ApiProblems.NotFound(problem);
        try
        {
            var bytes = await export(set, kind, ct);
            return TypedResults.File(bytes, contentType, $"run-{id}-{RunDownloads.Name(kind)}.{extension}");
        }
        catch (InvalidOperationException e) { return ApiProblems.Conflict(e.Message); }
        catch (InvalidDataException e) { return ApiProblems.Conflict(e.Message); }
    }

    static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ConfigAsync(int id, RunDownloads downloads, CancellationToken ct) =>
        await downloads.FindAsync(id, ct) is { } set
            ? TypedResults.File(Encoding.UTF8.GetBytes(RunDownloads.ConfigJson(set)), "application/json", $"run-{id}-config.json")
            : ApiProblems.NotFound($"no run #{id}");

    static async Task<Results<FileContentHttpResult, ProblemHttpResult>> MetricsAsync(int id, RunDownloads downloads, CancellationToken ct)
    {
        if (await downloads.FindAsync(id, ct) is not { } set) return ApiProblems.NotFound($"no run #{id}");
        if (!set.HasMetrics) return ApiProblems.NotFound($"run {id} has no evaluation yet");
        return TypedResults.File(Encoding.UTF8.GetBytes(RunDownloads.MetricsCsv(set.Evaluations)), "text/csv", $"run-{id}-metrics.csv");
    }
}
