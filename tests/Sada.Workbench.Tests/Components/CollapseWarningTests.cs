using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Sada.Data.Entities;
using Sada.Data.Runs.Events;
using Sada.Workbench.Accounts;
using Sada.Workbench.Components.Pages;
using Sada.Workbench.Runs;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Components;

/// <summary>The run page's collapse warning: live from the status the worker publishes, and on reload from Run.CollapseStep.</summary>
public class CollapseWarningTests : IClassFixture<ApiFixture>, IAsyncLifetime
{
    readonly BunitContext _ctx = PageContext.Create();
    readonly ApiFixture _api;

    public CollapseWarningTests(ApiFixture api)
    {
        _api = api;
        _ctx.AddRunPageServices(api.Factory.Services);
        _ctx.SignInAs(WorkbenchRoles.Researcher);
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    Run StoreRun(int? collapseStep)
    {
        using var db = _api.Db();
        var run = new Run
        {
            DatasetId = db.Datasets.Single(d => d.Name == "cells").Id, HoldoutCenter = "zheng", Algorithm = "sada", Seed = 0,
            ConfigJson = """{"collapseWindow": 30}""", Status = RunStatus.Running, Step = 60, TotalSteps = 100, CreatedAt = DateTime.UtcNow,
            Device = "cpu", CollapseStep = collapseStep,
        };
        db.Runs.Add(run);
        db.SaveChanges();
        return run;
    }

    [Fact]
    public async Task The_warning_appears_live_when_the_worker_publishes_the_collapse_naming_the_step()
    {
        var run = StoreRun(null);
        var page = _ctx.Render<RunDetail>(ps => ps.Add(p => p.Id, run.Id));
        page.WaitForAssertion(() => Assert.Contains("step 60 / 100", page.Markup));
        Assert.Empty(page.FindAll("[data-testid=collapse-warning]"));

        run.CollapseStep = 41;
        await _api.Factory.Services.GetRequiredService<IRunEvents>().StatusChangedAsync(RunRef.Of(run), RunStatusMessage.From(run));
        page.WaitForAssertion(() => Assert.Contains("Stage 1 collapsed at step 41", page.Find("[data-testid=collapse-warning]").TextContent, StringComparison.Ordinal));
        Assert.Contains("for 30 steps", page.Find("[data-testid=collapse-warning]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stored_collapse_shows_on_reload()
    {
        var run = StoreRun(72);
        var page = _ctx.Render<RunDetail>(ps => ps.Add(p => p.Id, run.Id));
        page.WaitForAssertion(() => Assert.Contains("Stage 1 collapsed at step 72", page.Find("[data-testid=collapse-warning]").TextContent, StringComparison.Ordinal));
    }
}
