using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Sada.Workbench.Accounts;
using Sada.Workbench.Tests.Api;
using RunsPage = Sada.Workbench.Components.Pages.Runs;

namespace Sada.Workbench.Tests.Components;

/// <summary>The runs list offers "New run" to those who may train, and only to them.</summary>
public class RunsPageTests : IClassFixture<ApiFixture>, IAsyncLifetime
{
    readonly BunitContext _ctx = PageContext.Create();

    public RunsPageTests(ApiFixture api)
    {
        _ctx.Services.AddSingleton(api.Factory.Services.GetRequiredService<Sada.Workbench.Runs.RunsTablePages>());
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    [Fact]
    public void A_researcher_sees_the_new_run_button()
    {
        _ctx.SignInAs(WorkbenchRoles.Researcher);
        var page = _ctx.Render<RunsPage>();
        page.WaitForAssertion(() => Assert.Equal("runs/new", page.Find("[data-testid=new-run]").GetAttribute("href")));
    }

    [Fact]
    public void A_reviewer_does_not()
    {
        _ctx.SignInAs(WorkbenchRoles.Reviewer);
        var page = _ctx.Render<RunsPage>();
        page.WaitForAssertion(() => Assert.Contains("No run yet", page.Markup));
        Assert.Empty(page.FindAll("[data-testid=new-run]"));
    }
}
