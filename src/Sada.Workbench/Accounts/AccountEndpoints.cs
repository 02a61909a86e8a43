using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using SignInResult = Microsoft.AspNetCore.Identity.SignInResult;

namespace Sada.Workbench.Accounts;

/// <summary>
/// Signing in and out. The browser posts the sign-in page's form (the cookie is set on a plain HTTP response, outside
/// any Blazor circuit); scripts post JSON to /api/account/login and get a bearer token.
/// </summary>
public static class AccountEndpoints
{
    public sealed record TokenRequest(string? Email, string? Password);

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // Form posts: antiforgery is checked for [FromForm] endpoints (the page renders the token).
        app.MapPost("/account/login", SignInForm).AllowAnonymous();
        app.MapPost("/account/logout", SignOutForm);
        app.MapPost("/api/account/login", Token).AllowAnonymous().WithTags("Accounts");
        return app;
    }

    static async Task<IResult> SignInForm([FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl,
        SignInManager<IdentityUser> signIn)
    {
        var target = SafeReturnUrl(returnUrl);
        var result = await PasswordSignInAsync(signIn, email, password, persistent: true);
        if (result.Succeeded) return Results.LocalRedirect(target);
        var error = result.IsLockedOut ? "locked" : "invalid";
        return Results.LocalRedirect($"/account/login?error={error}&email={Uri.EscapeDataString(email ?? "")}&returnUrl={Uri.EscapeDataString(target)}");
    }

    /// <summary>
    /// Signs out only with the layout form's antiforgery token: the endpoint binds no form field, so the antiforgery
    /// middleware would not enforce it, and without it any site could sign a visitor out.
    /// </summary>
    static async Task<IResult> SignOutForm(HttpContext http, IAntiforgery antiforgery, SignInManager<IdentityUser> signIn)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Sign-out refused",
                detail: "The sign-out form's antiforgery token is missing or invalid: sign out with the button on a workbench page.");
        await signIn.SignOutAsync();
        return Results.LocalRedirect("/account/login?signedOut=true");
    }

    /// <summary>200 with {tokenType, accessToken, expiresIn, refreshToken} written by the bearer handler; 401 problem otherwise.</summary>
    static async Task<IResult> Token(TokenRequest body, SignInManager<IdentityUser> signIn)
    {
        signIn.AuthenticationScheme = IdentityConstants.BearerScheme;
        var result = await PasswordSignInAsync(signIn, body.Email, body.Password, persistent: false);
        if (result.Succeeded) return Results.Empty;
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed",
            detail: result.IsLockedOut ? LockedOut : WrongCredentials);
    }

    public const string WrongCredentials = "The email or password is wrong.";
    public const string LockedOut = "Too many failed attempts: this account is locked for a few minutes.";

    static Task<SignInResult> PasswordSignInAsync(SignInManager<IdentityUser> signIn, string? email, string? password, bool persistent) =>
        string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password)
            ? Task.FromResult(SignInResult.Failed)
            // Identity signs in by user name; the workbench makes the user name the email.
            : signIn.PasswordSignInAsync(email.Trim(), password, persistent, lockoutOnFailure: true);

    /// <summary>
    /// Only a local path: an absolute or protocol-relative URL would make sign-in an open redirect, and anything else that
    /// LocalRedirect refuses (a control character, a line break) would make it throw; both go home instead.
    /// </summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            && !returnUrl.Any(char.IsControl)
            ? returnUrl
            : "/";
}
