using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Sada.Workbench.Accounts;

/// <summary>
/// Under /api and /hubs a refusal is problem+json that says what to do (sign in; which role is needed), not a redirect
/// to the sign-in page: scripts and hub clients cannot follow one. Pages keep the default (redirect to sign in).
/// </summary>
public sealed class ApiAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var path = context.Request.Path;
        if (authorizeResult.Succeeded || !(path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs")))
            return _default.HandleAsync(next, context, policy, authorizeResult);

        if (authorizeResult.Challenged && context.Items.ContainsKey(CheckedBearerHandler.StaleItem))
            return Problem(context, StatusCodes.Status401Unauthorized, "Sign in again", CheckedBearerHandler.Stale);
        if (authorizeResult.Challenged && AccountsHosting.RefusesCookie(context.Request) && context.Request.Cookies.ContainsKey(AccountsHosting.CookieName))
            return Problem(context, StatusCodes.Status401Unauthorized, "A bearer token is needed", CookieRefused);
        if (authorizeResult.Challenged)
            return Problem(context, StatusCodes.Status401Unauthorized, "Sign in first",
                "This needs a signed-in account: POST /api/account/login with {\"email\", \"password\"} and send the returned "
                + "accessToken as 'Authorization: Bearer <token>' (the hub also takes it as ?access_token=).");
        return Problem(context, StatusCodes.Status403Forbidden, "Not allowed for your role", WorkbenchPolicies.Refusal(RefusedPolicy(context)));
    }

    public const string CookieRefused = "Requests that change something take a bearer token, not the browser's sign-in cookie (which "
        + "another site could make the browser send): POST /api/account/login with {\"email\", \"password\"} and send the returned "
        + "accessToken as 'Authorization: Bearer <token>'.";

    /// <summary>The most specific policy on the endpoint: groups add Read, write endpoints add their own after it.</summary>
    static string RefusedPolicy(HttpContext context)
    {
        var named = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList() ?? [];
        return named.LastOrDefault(p => p != WorkbenchPolicies.Read) ?? WorkbenchPolicies.Read;
    }

    static Task Problem(HttpContext context, int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
}
