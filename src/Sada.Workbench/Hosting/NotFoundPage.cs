using Microsoft.AspNetCore.Diagnostics;

namespace Sada.Workbench.Hosting;

/// <summary>An address no endpoint takes: 404 with the app's not-found page (<c>Components/Pages/NotFound.razor</c>).</summary>
public static class NotFoundPage
{
    public const string Path = "/not-found";

    /// <summary>
    /// A bodiless 404 to a page request (GET or HEAD, outside /api, whose 404s are problem+json) is re-executed as
    /// <see cref="Path"/>, keeping the 404. Every other status is left alone: a form post refused for its missing
    /// antiforgery token stays a bare 400, not a page rendered by re-running the refused post.
    /// </summary>
    public static IApplicationBuilder UseNotFoundPage(this IApplicationBuilder app)
    {
        app.UseStatusCodePagesWithReExecute(Path, createScopeForStatusCodePages: true);
        // Runs inside the status code pages: leaves them on only for the responses above.
        return app.Use(async (context, next) =>
        {
            await next(context);
            bool page = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method);
            if ((context.Response.StatusCode != StatusCodes.Status404NotFound || !page || context.Request.Path.StartsWithSegments("/api"))
                && context.Features.Get<IStatusCodePagesFeature>() is { } pages)
                pages.Enabled = false;
        });
    }
}
