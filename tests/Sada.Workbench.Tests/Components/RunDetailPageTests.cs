using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Sada.Data.Entities;
using Sada.Data.Runs.Events;
using Sada.Workbench.Accounts;
using Sada.Workbench.Components.Pages;
using Sada.Workbench.Runs;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Components;

/// <summary>The run page on the real services of a workbench without trainer (<see cref="ApiFixture"/>), rendered by bUnit.</summary>
public class RunDetailPageTests : IClassFixture<ApiFixture>, IAsyncLifetime
{
    readonly BunitContext _ctx = PageContext.Create();
    readonly BunitAuthorizationContext _auth;

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    readonly ApiFixture _api;

    public RunDetailPageTests(ApiFixture api)
    {
        _api = api;
        _ctx.AddRunPageServices(api.Factory.Services);
        _auth = _ctx.SignInAs(WorkbenchRoles.Researcher);
    }

    int StoreRun(RunStatus status, params int[] metricSteps)
    {
        using var db = _api.Db();
        var run = new Run
        {
            DatasetId = db.Datasets.Single(d => d.Name == "cells").Id, HoldoutCenter = "zheng", Algorithm = "sada", ConfigJson = "{}", Seed = 0,
            Status = status, Step = metricSteps.LastOrDefault(), TotalSteps = 100, CreatedAt = DateTime.UtcNow, Device = "cpu",
            Metrics = metricSteps.Select(s => new RunMetric
            {
                Step = s, Stage = 1, LossesJson = """{"total": 0.5, "wobble_penalty": 0.25}""", HeldOutAccuracy = 0.5, HeldOutF1Macro = 0.4, ValidationAccuracy = 0.6,
                ConfusionJson = """{"classes": ["monocyte", "neutrophil"], "counts": [[3, 1], [0, 4]]}""",
                PerClassRecallJson = """{"monocyte": 0.75, "neutrophil": 1.0}""", CreatedAt = DateTime.UtcNow,
            }).ToList(),
        };
        db.Runs.Add(run);
        db.SaveChanges();
        return run.Id;
    }

    [Fact]
    public async Task Shows_the_stored_history_then_appends_a_live_metric_once()
    {
        var id = StoreRun(RunStatus.Running, 10, 20);
        var page = _ctx.Render<RunDetail>(ps => ps.Add(p => p.Id, id));
        page.WaitForAssertion(() => Assert.Contains("step 20 / 100", page.Markup));
        var feedSteps = () => page.FindComponent<Sada.Workbench.Components.Shared.LossChart>().Instance.Points.Select(p => p.Step).ToList();
        Assert.Equal([10, 20], feedSteps());
        // A loss name no code knows is charted from the stored rows as its own series.
        var stored = page.FindComponent<Sada.Workbench.Components.Shared.LossChart>().Instance.Points;
        Assert.Equal(["total", "wobble_penalty"], Sada.Workbench.Components.Shared.LossChart.Series(stored).Select(x => x.Name));

        // The worker publishes step 30 (twice, as after a hub redelivery) through the registered IRunEvents.
        var events = _api.Factory.Services.GetRequiredService<IRunEvents>();
        var live = ChartComponentTests.Metric(30, 0.8, 0.7, 0.9, runId: id);
        await events.EvaluationAsync(new RunRef(id, null), live);
        await events.EvaluationAsync(new RunRef(id, null), live);
        // A step already in the history, published late, is not added again.
        await events.EvaluationAsync(new RunRef(id, null), ChartComponentTests.Metric(20, 0.1, 0.1, 0.1, runId: id));

        page.WaitForAssertion(() => Assert.Equal([10, 20, 30], feedSteps()));
        Assert.False(page.Find("[data-testid=cancel]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task The_loss_chart_takes_the_step_level_losses_live_and_the_stage_switch_from_the_config()
    {
        int id;
        using (var db = _api.Db())
        {
            var run = new Run
            {
                DatasetId = db.Datasets.Single(d => d.Name == "cells").Id, HoldoutCenter = "zheng", Algorithm = "sada",
                ConfigJson = new Sada.Core.Algorithms.AlgorithmConfig { Steps = 100, Stage1Steps = 25, EvalEvery = 50 }.ToJson(), Seed = 0,
                Status = RunStatus.Running, Step = 30, TotalSteps = 100, CreatedAt = DateTime.UtcNow, Device = "cpu",
            };
            db.Runs.Add(run);
            db.SaveChanges();
            id = run.Id;
            db.RunStepLosses.AddRange(new[] { (0, 1), (10, 1), (20, 1), (24, 1), (30, 2) }.Select(p => new RunStepLosses
            {
                RunId = id, Step = p.Item1, Stage = p.Item2, LossesJson = p.Item2 == 1 ? """{"total":1,"la":0.5}""" : """{"total":0.5,"ce":0.5}""",
            }));
            db.SaveChanges();
        }
        var page = _ctx.Render<RunDetail>(ps => ps.Add(p => p.Id, id));
        var chart = () => page.FindComponent<Sada.Workbench.Components.Shared.LossChart>().Instance;
        page.WaitForAssertion(() => Assert.Equal([0, 10, 20, 24, 30], chart().Points.Select(p => p.Step)));
        page.WaitForAssertion(() => Assert.Equal(25, chart().StageSwitchStep));

        var events = _api.Factory.Services.GetRequiredService<IRunEvents>();
        await events.StepLossesAsync(new RunRef(id, null), new StepLossesMessage(id, 40, 2, new Dictionary<string, double> { ["total"] = 0.25, ["ce"] = 0.25 }));
        page.WaitForAssertion(() => Assert.Equal([0, 10, 20, 24, 30, 40], chart().Points.Select(p => p.Step)));
    }

    [Fact]
    public void Cancel_is_disabled_when_the_run_has_finished()
    {
        var id = StoreRun(RunStatus.Completed, 10);
        var page = _ctx.Render<RunDetail>(ps => ps.Add(p => p.Id, id));
        page.WaitForAssertion(() => Assert.Contains("Completed", page.Find("[data-testid=status]").TextContent));
        // Its last step is 10 of 0..99 in the stored row; a completed run shows every step done.
        Assert.Contains("step 100 / 100", page.Markup);
        Assert.True(page.Find("[data-testid=cancel]").HasAttribute("disabled"));
        Assert.False(page.Find("[data-testid=rerun]").HasAttribute("disabled"));
    }

    [Fact]
    public void Cancelling_a_queued_run_from_the_page_marks_it_cancelled_and_disables_the_button()
    {
        var id = StoreRun(RunStatus.Queued);
        var page = _ctx.Render<RunDetail>(ps => ps.Add(p => p.Id, id));
        page.WaitForAssertion(() => Assert.Contains("Queued", page.Find("[data-testid=status]").TextContent));
        page.Find("[data-testid=cancel]").Click();
        page.WaitForAssertion(() => Assert.Contains("Cancelled", page.Find("[data-testid=status]").TextContent));
        Assert.True(page.Find("[data-testid=cancel]").HasAttribute("disabled"));
        using var db = _api.Db();
        Assert.Equal(RunStatus.Cancelled, db.Runs.Single(r => r.Id == id).Status);
    }

    [Fact]
    public void A_reviewer_sees_the_run_without_cancel_or_rerun()
    {
        _auth.BecomeRole(WorkbenchRoles.Reviewer);
        var id = StoreRun(RunStatus.Running, 10);
        var page = _ctx.Render<RunDetail>(ps => ps.Add(p => p.Id, id));
        page.WaitForAssertion(() => Assert.Contains("step 10 / 100", page.Markup));
        Assert.Empty(page.FindAll("[data-testid=cancel]"));
        Assert.Empty(page.FindAll("[data-testid=rerun]"));
    }

    [Fact]
    public void Cancel_rechecks_the_role_when_clicked_and_refuses_after_the_role_was_taken_away()
    {
        var id = StoreRun(RunStatus.Queued);
        var page = _ctx.Render<RunDetail>(ps => ps.Add(p => p.Id, id));
        page.WaitForAssertion(() => Assert.Contains("Queued", page.Find("[data-testid=status]").TextContent));
        var cancel = page.Find("[data-testid=cancel]");
        // The account loses its researcher rights while the page is open.
        _auth.BecomeRole(WorkbenchRoles.Reviewer);
        cancel.Click();
        page.WaitForAssertion(() => Assert.Contains(WorkbenchPolicies.Refusal(WorkbenchPolicies.Train), page.Markup));
        using var db = _api.Db();
        Assert.Equal(RunStatus.Queued, db.Runs.Single(r => r.Id == id).Status);
    }

    [Fact]
    public void Edit_and_re_run_opens_the_form_from_this_run_for_those_who_may_train()
    {
        var id = StoreRun(RunStatus.Completed, 10);
        var page = _ctx.Render<RunDetail>(ps => ps.Add(p => p.Id, id));
        page.WaitForAssertion(() => Assert.Equal($"runs/new?from={id}", page.Find("[data-testid=edit-rerun]").GetAttribute("href")));

        _auth.BecomeRole(WorkbenchRoles.Reviewer);
        var reviewer = _ctx.Render<RunDetail>(ps => ps.Add(p => p.Id, id));
        reviewer.WaitForAssertion(() => Assert.Contains("Completed", reviewer.Find("[data-testid=status]").TextContent));
        Assert.Empty(reviewer.FindAll("[data-testid=edit-rerun]"));
    }

    [Fact]
    public void An_unknown_run_says_so()
    {
        var page = _ctx.Render<RunDetail>(ps => ps.Add(p => p.Id, 99999));
        page.WaitForAssertion(() => Assert.Contains("run 99999 does not exist", page.Markup));
    }
}
