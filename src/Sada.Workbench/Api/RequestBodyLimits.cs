using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Sada.Workbench.Api;

/// <summary>The <c>Sada:Limits</c> section: the largest request body an /api endpoint reads.</summary>
public sealed record RequestLimitOptions
{
    public const string Section = "Sada:Limits";

    /// <summary>JSON bodies (runs, studies, sign-in): 1 MiB, far above any real request.</summary>
    public long JsonBodyBytes { get; init; } = 1 << 20;

    public void Validate()
    {
        if (JsonBodyBytes <= 0) throw new ArgumentException($"Sada:Limits:JsonBodyBytes must be positive, not {JsonBodyBytes}.");
    }
}

/// <summary>An endpoint's own body limit (the predict upload's), above the JSON default.</summary>
public sealed record BodyLimit(long MaxRequestBodySize) : IRequestSizeLimitMetadata
{
    long? IRequestSizeLimitMetadata.MaxRequestBodySize => MaxRequestBodySize;
}

/// <summary>
/// Under /api a body above its endpoint's limit is refused with 413 and a problem+json that names both sizes: at once
/// when Content-Length says so, and through the server's own limit (set here per endpoint) for a chunked body, whose
/// read then fails with a 413 <see cref="BadHttpRequestException"/> that <see cref="BadRequestProblems"/> reports alike.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, RequestLimitOptions options)
{
    public Task InvokeAsync(HttpContext context)
    {
        long limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? options.JsonBodyBytes;
        if (context.Request.ContentLength is long length && length > limit)
            return TooLarge(context, $"The request body is {length:N0} bytes, above this endpoint's limit of {limit:N0} bytes.");
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;
        return next(context);
    }

    internal static Task TooLarge(HttpContext context, string detail) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large", detail: detail).ExecuteAsync(context);
}

/// <summary>A request the server refused while reading it (a body over the limit, a malformed form): its status as problem+json, not 500.</summary>
public sealed class BadRequestProblems : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var context = httpContext;
        if (exception is not BadHttpRequestException bad || context.Response.HasStarted) return false;
        context.Response.StatusCode = bad.StatusCode;
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
            await RequestBodyLimitMiddleware.TooLarge(context, $"The request body is above this endpoint's limit: {bad.Message}");
        else
            await Results.Problem(statusCode: bad.StatusCode, title: "Bad request", detail: bad.Message).ExecuteAsync(context);
        return true;
    }
}
