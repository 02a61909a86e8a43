using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Sada.Workbench.Accounts;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Tests.Components;

/// <summary>What every page test needs: a bUnit context with MudBlazor's services, and a signed-in role.</summary>
public static class PageContext
{
    /// <summary>A bUnit context with MudBlazor's services; JS calls (Plotly, MudBlazor) are answered loosely.</summary>
    public static BunitContext Create()
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices();
        return ctx;
    }

    /// <summary>The services of the run page and the components on it (overview, downloads), taken from a running workbench.</summary>
    public static void AddRunPageServices(this BunitContext ctx, IServiceProvider workbench)
    {
        foreach (var type in new[] { typeof(RunPages), typeof(RunOverviewPages), typeof(RunDownloads) })
            ctx.Services.AddSingleton(type, workbench.GetRequiredService(type));
    }

    /// <summary>Signs the context in as role@tests.local with the role and exactly the policies the workbench gives it.</summary>
    public static BunitAuthorizationContext SignInAs(this BunitContext ctx, string role)
    {
        var auth = ctx.AddAuthorization();
        auth.SetAuthorized($"{role.ToLowerInvariant()}@tests.local");
        return auth.BecomeRole(role);
    }

    /// <summary>Gives the signed-in account another role (and its policies), as when an admin changes it.</summary>
    public static BunitAuthorizationContext BecomeRole(this BunitAuthorizationContext auth, string role)
    {
        auth.SetRoles(role);
        auth.SetPolicies(WorkbenchPolicies.Of(role));
        return auth;
    }
}
