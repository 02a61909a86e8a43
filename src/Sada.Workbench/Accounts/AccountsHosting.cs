using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Sada.Core.Configuration;
using Sada.Data;

namespace Sada.Workbench.Accounts;

/// <summary>
/// Accounts: ASP.NET Core Identity on the workbench's database, a cookie for the browser and a bearer token for scripts
/// (<c>POST /api/account/login</c>), chosen per request by one policy scheme so pages, API and hub share the same policies.
/// </summary>
public static class AccountsHosting
{
    /// <summary>The default scheme: a bearer token when the request carries one, the sign-in cookie otherwise.</summary>
    public const string Scheme = "sada";

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
                BearerToken(c.Request) is not null ? IdentityConstants.BearerScheme : IdentityConstants.ApplicationScheme)
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
            o.Cookie.Name = "sada.auth";
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromDays(7);
        });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiAuthorizationResultHandler>();
        services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityAuthenticationStateProvider>();
        services.AddScoped<FirstAdmin>();
        services.AddScoped<WorkbenchUsers>();

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

    /// <summary>The token from "Authorization: Bearer ..." or, for the hub's WebSocket, from the access_token query.</summary>
    static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        return request.Path.StartsWithSegments("/hubs") && request.Query["access_token"] is [{ Length: > 0 } token] ? token : null;
    }
}
