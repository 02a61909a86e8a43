using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Sada.Core.Imaging;
using Sada.Data;
using Sada.Data.Datasets;
using Sada.Workbench.Accounts;
using Sada.Workbench.Review;
using SkiaSharp;

namespace Sada.Workbench.Api;

/// <summary>The review's endpoints: predict a cell with a run's selected checkpoint, and the stored cell images the gallery shows.</summary>
public static class ReviewApi
{
    public sealed record ClassProbabilityDto(string Class, double Probability);

    /// <summary>Probabilities most probable first; <see cref="Milliseconds"/> is the inference alone.</summary>
    public sealed record PredictionDto(int RunId, string HeldOut, int Step, string Predicted, double Confidence,
        IReadOnlyList<ClassProbabilityDto> Probabilities, double Milliseconds);

    public static IEndpointRouteBuilder MapReviewApi(this IEndpointRouteBuilder app)
    {
        // A script posts a file with its credentials; there is no form page to carry an antiforgery token, and predicting changes nothing.
        app.MapPost("/api/runs/{id:int}/predict", Predict).WithTags("Runs").DisableAntiforgery().RequireAuthorization(WorkbenchPolicies.Read);
        app.MapGet("/api/images/{hash}", Image).WithTags("Datasets").RequireAuthorization(WorkbenchPolicies.Read);
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

    /// <summary>
    /// A stored image by the SHA-256 of its bytes (content-addressed, so cached for good). TIFF, which browsers do not show,
    /// is sent as PNG.
    /// </summary>
    static async Task<IResult> Image(string hash, SadaDbContext db, ImageStore store, CancellationToken ct)
    {
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower)) return ApiProblems.NotFound($"'{hash}' is not an image hash (64 lower-case hex digits)");
        var extension = await db.StoredFiles.AsNoTracking().Where(f => f.Hash == hash).Select(f => f.Extension).FirstOrDefaultAsync(ct);
        var path = extension is null ? null : store.PathFor(hash, extension);
        if (path is null || !File.Exists(path)) return ApiProblems.NotFound($"no stored image {hash}");
        var ext = ImageStore.NormalizeExtension(extension!);
        if (ext is ".tif" or ".tiff") return Cached(TypedResults.Bytes(ToPng(CellImageDecoder.Decode(path)), "image/png"));
        var type = ext switch
        {
            ".png" => "image/png", ".jpg" or ".jpeg" => "image/jpeg", ".bmp" => "image/bmp", ".gif" => "image/gif", ".webp" => "image/webp",
            _ => "application/octet-stream",
        };
        return Cached(TypedResults.PhysicalFile(path, type));
    }

    static IResult Cached(IResult inner) => new CachedResult(inner);

    /// <summary>Marks the answer cacheable for a year: the address is the content's hash.</summary>
    sealed class CachedResult(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
            return inner.ExecuteAsync(context);
        }
    }

    static byte[] ToPng(DecodedImage image)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = new byte[image.Width * image.Height * 4];
        for (int i = 0, n = image.Width * image.Height; i < n; i++)
        {
            pixels[4 * i] = image.Rgb[3 * i];
            pixels[4 * i + 1] = image.Rgb[3 * i + 1];
            pixels[4 * i + 2] = image.Rgb[3 * i + 2];
            pixels[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
