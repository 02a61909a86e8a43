using System.Text.RegularExpressions;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Sada.Core.Algorithms;
using Sada.Data.Entities;
using Sada.Data.Runs.Events;
using Sada.Data.Studies;
using Sada.Workbench.Accounts;
using Sada.Workbench.Components.Pages;
using Sada.Workbench.Runs;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Components;

/// <summary>
/// Compare on the real services of a workbench without trainer (<see cref="ApiFixture"/>), rendered by bUnit: a run's
/// status event (published as the worker publishes it) fills the open page in; selected runs stay one row each.
/// </summary>
public partial class ComparePageTests : IClassFixture<ApiFixture>, IAsyncLifetime
{
    readonly BunitContext _ctx = PageContext.Create();
    readonly ApiFixture _api;

    public ComparePageTests(ApiFixture api)
    {
        _api = api;
        _ctx.SignInAs(WorkbenchRoles.Reviewer);
        foreach (var type in new[] { typeof(ComparePages), typeof(RunSetFeeds) })
            _ctx.Services.AddSingleton(type, api.Factory.Services.GetRequiredService(type));
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    /// <summary>Completes the run with one evaluation in the store, then publishes its status as the worker does (stored first, then published).</summary>
    async Task CompleteAsync(int runId, double accuracy, double f1Macro)
    {
        Run run;
        using (var db = _api.Db())
        {
            run = db.Runs.Single(r => r.Id == runId);
            run.Status = RunStatus.Completed;
            run.FinishedAt = DateTime.UtcNow;
            run.Metrics.Add(new RunMetric { Step = 10, Stage = 2, HeldOutAccuracy = accuracy, HeldOutF1Macro = f1Macro, ValidationAccuracy = 0.8, CreatedAt = DateTime.UtcNow });
            db.SaveChanges();
        }
        await _api.Factory.Services.GetRequiredService<IRunEvents>().StatusChangedAsync(RunRef.Of(run), RunStatusMessage.From(run));
    }

    [GeneratedRegex(@"^\d+\.\d / \d+\.\d")]
    private static partial Regex Numbers();

    [Fact]
    public async Task A_studys_table_count_and_curves_fill_in_as_its_runs_finish_without_a_reload()
    {
        var studies = _api.Factory.Services.GetRequiredService<StudyService>();
        var study = await studies.CreateAsync(new StudyRequest("compare live", "cells",
            [new StudyVariant("SADA", new AlgorithmConfig()), new StudyVariant("ERM", new AlgorithmConfig { Algorithm = "erm" })], ["raabin"], [0]));
        var runs = study.Runs.OrderBy(r => r.Id).Select(r => r.Id).ToList();

        _ctx.Services.GetRequiredService<NavigationManager>().NavigateTo($"/compare?study={study.Id}");
        var page = _ctx.Render<Compare>();
        page.WaitForAssertion(() => Assert.StartsWith("0/2 done", page.Find("[data-testid=done]").TextContent.Trim()));
        Assert.All(page.FindAll(".sada-study-table tbody tr"), r => Assert.DoesNotMatch(Numbers(), r.Children[1].TextContent.Trim()));

        await CompleteAsync(runs[0], 0.90, 0.75);
        page.WaitForAssertion(() => Assert.StartsWith("1/2 done", page.Find("[data-testid=done]").TextContent.Trim()));
        page.WaitForAssertion(() => Assert.Matches(Numbers(), page.FindAll(".sada-study-table tbody tr")[0].Children[1].TextContent.Trim()));
        Assert.Single(page.FindComponent<Sada.Workbench.Components.Shared.MetricCurves>().Instance.Curves);

        await CompleteAsync(runs[1], 0.60, 0.50);
        page.WaitForAssertion(() => Assert.StartsWith("2/2 done", page.Find("[data-testid=done]").TextContent.Trim()));
        page.WaitForAssertion(() => Assert.All(page.FindAll(".sada-study-table tbody tr"), r => Assert.Matches(Numbers(), r.Children[1].TextContent.Trim())));
        Assert.Equal(["SADA", "ERM"], page.FindAll(".sada-study-table tbody tr").Select(r => r.Children[0].TextContent.Trim()));
        Assert.Equal(2, page.FindComponent<Sada.Workbench.Components.Shared.MetricCurves>().Instance.Curves.Count);
    }

    [Fact]
    public void Compare_selected_keeps_two_runs_with_the_same_config_and_seed_as_two_rows()
    {
        int[] ids;
        using (var db = _api.Db())
        {
            var dataset = db.Datasets.Single(d => d.Name == "cells").Id;
            Run Completed(double accuracy) => new()
            {
                DatasetId = dataset, HoldoutCenter = "zheng", Algorithm = "erm", Seed = 4, Status = RunStatus.Completed,
                ConfigJson = new AlgorithmConfig { Algorithm = "erm", Seed = 4, Steps = 77 }.ToJson(), TotalSteps = 77, CreatedAt = DateTime.UtcNow,
                Metrics = [new RunMetric { Step = 77, Stage = 2, ValidationAccuracy = 0.9, HeldOutAccuracy = accuracy, HeldOutF1Macro = accuracy, CreatedAt = DateTime.UtcNow }],
            };
            var runs = new[] { Completed(0.30), Completed(0.70) };
            db.Runs.AddRange(runs);
            db.SaveChanges();
            ids = runs.Select(r => r.Id).ToArray();
        }
        _ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("/compare");
        var page = _ctx.Render<Compare>();
        page.WaitForElement(".mud-table");

        foreach (int id in ids)
            page.FindAll(".mud-table tbody tr").Single(r => r.Children[1].TextContent.Trim() == id.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .QuerySelector("input[type=checkbox]")!.Change(true);
        page.WaitForAssertion(() => Assert.Contains("Compare selected (2)", page.Markup));
        page.FindAll("button").Single(b => b.TextContent.Contains("Compare selected", StringComparison.Ordinal)).Click();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".sada-study-table tbody tr").Count));
        var rows = page.FindAll(".sada-study-table tbody tr");
        Assert.StartsWith($"#{ids[0]} erm ", rows[0].Children[0].TextContent.Trim());
        Assert.StartsWith($"#{ids[1]} erm ", rows[1].Children[0].TextContent.Trim());
        Assert.StartsWith("30.0 / 30.0", rows[0].Children[1].TextContent.Trim());
        Assert.StartsWith("70.0 / 70.0", rows[1].Children[1].TextContent.Trim());
    }
}
