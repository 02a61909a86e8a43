using Microsoft.AspNetCore.Http.HttpResults;
using Sada.Core.Imaging;
using Sada.Workbench.Accounts;
using Sada.Workbench.Review;

namespace Sada.Workbench.Api;

/// <summary>The review's endpoint: predict a cell with a run's selected checkpoint (the gallery's thumbnails come from /api/datasets).</summary>
public static class ReviewApi
{
    public sealed record ClassProbabilityDto(string Class, double Probability);

    /// <summary>Probabilities most probable first; <see cref="Milliseconds"/> is the inference alone.</summary>
    public sealed record PredictionDto(int RunId, string HeldOut, int Step, string Predicted, double Confidence,
        IReadOnlyList<ClassProbabilityDto> Probabilities, double Milliseconds);

    /// <summary>One cell image at its limit plus room for the multipart envelope.</summary>
    public const long MaxBodyBytes = CellPredictor.MaxBytes + (1 << 20);

    public static IEndpointRouteBuilder MapReviewApi(this IEndpointRouteBuilder app)
    {
        // Bearer tokens only (AccountsHosting.RefusesCookie), so no form page's antiforgery token is needed.
        app.MapPost("/api/runs/{id:int}/predict", Predict).WithTags("Runs").DisableAntiforgery().RequireAuthorization(WorkbenchPolicies.Read)
            .WithMetadata(new BodyLimit(MaxBodyBytes));
        return app;
    }

    /// <summary>
    /// POST multipart/form-data with the image in field <c>file</c> (PNG, JPEG, TIFF, ...): 200 with the class probabilities,
    /// 400 naming what is wrong with the file, 404 for an unknown run, 409 when the run has no selected checkpoint yet.
    /// </summary>
    static async Task<Results<Ok<PredictionDto>, ValidationProblem, ProblemHttpResult>> Predict(int id, HttpRequest request, CellPredictor predictor, CancellationToken ct)
    {
        const string field = "file";
        if (!request.HasFormContentType)
            return ApiProblems.Invalid(field, "send the cell image as multipart/form-data in a field named 'file'");
        var form = await request.ReadFormAsync(ct);
        var file = form.Files.GetFile(field) ?? (form.Files.Count == 1 ? form.Files[0] : null);
        if (file is null) return ApiProblems.Invalid(field, "no file: attach the cell image in a field named 'file'");
        if (file.Length > CellPredictor.MaxBytes)
            return ApiProblems.Invalid(field, $"{file.FileName}: {file.Length:N0} bytes, above the {CellPredictor.MaxBytes:N0}-byte limit for one cell image");
        var bytes = new byte[file.Length];
        await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(bytes, ct);
        try
        {
            var p = await predictor.PredictAsync(id, bytes, ct);
            return TypedResults.Ok(new PredictionDto(p.RunId, p.HeldOut, p.Step, p.Probabilities.PredictedClass, p.Probabilities.Confidence,
                p.Probabilities.Ranked.Select(r => new ClassProbabilityDto(r.Class, r.Probability)).ToList(), p.Milliseconds));
        }
        catch (CellImageException e) { return ApiProblems.Invalid(field, $"{file.FileName}: {e.Message}"); }
        catch (KeyNotFoundException) { return ApiProblems.NotFound($"no run #{id}"); }
        catch (InvalidOperationException e) { return ApiProblems.Conflict(e.Message); }
    }
}
