using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Sada.Data.Entities;
using Sada.Data.Runs.Events;
using Sada.Workbench.Accounts;
using Sada.Workbench.Components.Pages;
using Sada.Workbench.Runs;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Components;

/// <summary>
/// The run page reused for another run, as after Re-run (Blazor keeps the component and sets a new Id): it shows the
/// new run, follows the new run's events only, and an unknown id says so.
/// </summary>
public class RunDetailNavigationTests : IClassFixture<ApiFixture>, IAsyncLifetime
{
    readonly BunitContext _ctx = PageContext.Create();
    readonly ApiFixture _api;

    public RunDetailNavigationTests(ApiFixture api)
    {
        _api = api;
        _ctx.AddRunPageServices(api.Factory.Services);
        _ctx.SignInAs(WorkbenchRoles.Researcher);
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    int StoreRun(RunStatus status, int step, string algorithm = "sada")
    {
        using var db = _api.Db();
        var run = new Run
        {
            DatasetId = db.Datasets.Single(d => d.Name == "cells").Id, HoldoutCenter = "zheng", Algorithm = algorithm,
            ConfigJson = $$"""{"algorithm": "{{algorithm}}"}""", Seed = 0, Status = status, Step = step, TotalSteps = 100,
            CreatedAt = DateTime.UtcNow, Device = "cpu",
        };
        db.Runs.Add(run);
        db.SaveChanges();
        return run.Id;
    }

    static RunStatusMessage Status(int id, RunStatus status, int step) =>
        new(id, null, status.ToString(), step, 100, null, "cpu", null, DateTime.UtcNow, null);

    [Fact]
    public async Task A_new_id_on_the_same_page_loads_that_run_and_follows_its_events_not_the_old_ones()
    {
        int old = StoreRun(RunStatus.Completed, 99);
        int rerun = StoreRun(RunStatus.Queued, 0, algorithm: "erm");
        var page = _ctx.Render<RunDetail>(ps => ps.Add(p => p.Id, old));
        page.WaitForAssertion(() => Assert.Contains("Completed", page.Find("[data-testid=status]").TextContent));
        Assert.True(page.Find("[data-testid=cancel]").HasAttribute("disabled"));

        // Re-run navigates to /runs/{new}: the router sets the new Id on the page it already shows.
        page.Render(ps => ps.Add(p => p.Id, rerun));

        page.WaitForAssertion(() => Assert.Contains("Queued", page.Find("[data-testid=status]").TextContent));
        Assert.Contains($"Run #{rerun}", page.Markup);
        Assert.StartsWith("erm ", page.Find("[data-testid=run-config]").TextContent.Trim());
        Assert.False(page.Find("[data-testid=cancel]").HasAttribute("disabled"));

        // The new run's events reach the page; the old run's no longer do.
        var events = _api.Factory.Services.GetRequiredService<IRunEvents>();
        await events.StatusChangedAsync(new RunRef(old, null), Status(old, RunStatus.Failed, 99));
        await events.StatusChangedAsync(new RunRef(rerun, null), Status(rerun, RunStatus.Running, 5));
        page.WaitForAssertion(() => Assert.Contains("Running", page.Find("[data-testid=status]").TextContent));
        Assert.Contains("step 5 / 100", page.Markup);
    }

    [Fact]
    public void An_unknown_run_id_says_the_run_does_not_exist()
    {
        var page = _ctx.Render<RunDetail>(ps => ps.Add(p => p.Id, 99999));
        page.WaitForAssertion(() => Assert.Equal("run 99999 does not exist", page.Find("[data-testid=run-missing]").TextContent.Trim()));
        Assert.Equal("runs", page.Find("[data-testid=run-missing-back]").GetAttribute("href"));
    }
}
