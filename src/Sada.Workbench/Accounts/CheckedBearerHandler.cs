using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Sada.Workbench.Accounts;

/// <summary>
/// Identity's bearer token, checked against its account on every request: the token handler alone trusts a token for
/// its whole hour, so a demoted, reset or deleted account would keep its old rights. A stale token fails here, as an
/// expired one does; challenges and refusals are the bearer scheme's.
/// </summary>
public sealed class CheckedBearerHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    SecurityStampCheck stamps) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string Name = "sada-bearer";

    public const string Stale = "This token's account was changed (role or password) or deleted since the token was issued: sign in again.";

    public const string StaleItem = "sada.stale-token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var inner = await Context.AuthenticateAsync(IdentityConstants.BearerScheme);
        if (!inner.Succeeded) return inner;
        if (!await stamps.IsCurrentAsync(inner.Principal, Context.RequestAborted))
        {
            Context.Items[StaleItem] = true; // so the 401 says why (ApiAuthorizationResultHandler)
            return AuthenticateResult.Fail(Stale);
        }
        return AuthenticateResult.Success(new AuthenticationTicket(inner.Principal, inner.Properties, Scheme.Name));
    }
}
