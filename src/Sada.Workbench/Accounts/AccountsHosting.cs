using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sada.Core.Configuration;
using Sada.Data;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Accounts;

/// <summary>
/// Accounts: ASP.NET Core Identity on the workbench's database, a cookie for the browser and a bearer token for scripts
/// (<c>POST /api/account/login</c>), chosen per request by one policy scheme so pages, API and hub share the same policies.
/// </summary>
public static class AccountsHosting
{
    /// <summary>The default scheme: a bearer token when the request carries one, the sign-in cookie otherwise.</summary>
    public const string Scheme = "sada";

    public const string CookieName = "sada.auth";

    public static WebApplicationBuilder AddSadaAccounts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<AccountOptions>(builder.Configuration.GetSection(AccountOptions.Section));
        services.AddHttpContextAccessor();
        services.AddIdentityCore<IdentityUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<SadaDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = Scheme;
                o.DefaultChallengeScheme = Scheme;
            })
            .AddPolicyScheme(Scheme, "Cookie or bearer token", o => o.ForwardDefaultSelector = c =>
                BearerToken(c.Request) is not null || RefusesCookie(c.Request) ? CheckedBearerHandler.Name : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, CheckedBearerHandler>(CheckedBearerHandler.Name, o =>
            {
                o.ForwardChallenge = IdentityConstants.BearerScheme;
                o.ForwardForbid = IdentityConstants.BearerScheme;
            })
            .AddBearerToken(IdentityConstants.BearerScheme, o =>
                o.Events = new BearerTokenEvents
                {
                    // Browsers' WebSockets cannot send headers: SignalR clients pass the token in the query instead.
                    OnMessageReceived = c =>
                    {
                        c.Token ??= BearerToken(c.Request);
                        return Task.CompletedTask;
                    },
                })
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.AccessDeniedPath = "/account/denied";
            o.Cookie.Name = CookieName;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromDays(7);
        });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiAuthorizationResultHandler>();
        services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityAuthenticationStateProvider>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SecurityStampCheck>();
        services.AddSingleton<StampCheckingHubFilter>();
        services.Configure<HubOptions<RunsHub>>(o => o.AddFilter<StampCheckingHubFilter>());
        services.AddScoped<FirstAdmin>();
        services.AddScoped<WorkbenchUsers>();
        services.TryAddSingleton<Sada.Data.Accounts.UserSettingsStore>();

        // Keys in the data directory, so sign-ins survive a restart and the workbench can move machines with its data.
        var data = builder.Configuration.GetSection(SadaOptions.Section).Get<SadaOptions>() ?? new SadaOptions();
        services.AddDataProtection()
            .SetApplicationName("Sada.Workbench")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(data.ResolveDataDirectory(), "keys")));
        return builder;
    }

    /// <summary>Creates the roles and, on an empty database, the first admin.</summary>
    public static async Task UseSadaAccountsAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<FirstAdmin>().EnsureAsync(Console.Out);
    }

    /// <summary>
    /// A request that may change something under /api takes a bearer token only: a browser attaches the sign-in cookie
    /// to any site's form or fetch, so with the cookie such a request could be forged from another page. Pages change
    /// things through their Blazor circuit, which has its own antiforgery, never through these endpoints.
    /// </summary>
    public static bool RefusesCookie(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") && !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method));

    /// <summary>The token from "Authorization: Bearer ..." or, for the hub's WebSocket, from the access_token query.</summary>
    static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        return request.Path.StartsWithSegments("/hubs") && request.Query["access_token"] is [{ Length: > 0 } token] ? token : null;
    }
}
