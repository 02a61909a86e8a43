using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using Sada.Workbench.Accounts;
using Sada.Workbench.Components.Pages;

namespace Sada.Workbench.Tests.Components;

/// <summary>The users page on a workbench of its own, whose first admin (admin@sada.local) is the only admin.</summary>
public sealed class UsersPageTests : IAsyncLifetime, IDisposable
{
    readonly WorkbenchFactory _factory = new();
    readonly BunitContext _ctx = PageContext.Create();
    AsyncServiceScope _scope;

    public Task InitializeAsync()
    {
        _factory.CreateClient().Dispose();
        _scope = _factory.Services.CreateAsyncScope();
        _ctx.Services.AddSingleton(_scope.ServiceProvider.GetRequiredService<WorkbenchUsers>());
        _ctx.SignInAs(WorkbenchRoles.Admin);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _scope.DisposeAsync();
    }

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_refused_role_change_puts_the_stored_role_back_in_the_select_and_says_why()
    {
        var page = _ctx.Render<Users>();
        page.WaitForAssertion(() => Assert.Contains("admin@sada.local", page.Markup));
        IRenderedComponent<MudSelect<string>> RoleOf() => page.FindComponents<MudSelect<string>>()[^1]; // the last row: the only account
        Assert.Equal(WorkbenchRoles.Admin, RoleOf().Instance.GetState(x => x.Value));

        // The only admin cannot become a reviewer: the service refuses.
        await page.InvokeAsync(() => RoleOf().Instance.SelectOption(WorkbenchRoles.Reviewer));

        page.WaitForAssertion(() => Assert.Contains("only admin", page.Find("[data-testid=users-error]").TextContent));
        Assert.Equal(WorkbenchRoles.Admin, RoleOf().Instance.GetState(x => x.Value));
        Assert.Contains("only admin", page.Find("[data-testid='role-error-admin@sada.local']").TextContent);
        var users = _scope.ServiceProvider.GetRequiredService<WorkbenchUsers>();
        Assert.Equal(WorkbenchRoles.Admin, (await users.ListAsync()).Single(u => u.Email == "admin@sada.local").Role);
    }
}
