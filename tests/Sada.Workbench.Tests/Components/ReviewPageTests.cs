using System.Reflection;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Sada.Core.Algorithms;
using Sada.Data.Entities;
using Sada.Data.Studies;
using Sada.Workbench.Accounts;
using Sada.Workbench.Components.Pages;
using Sada.Workbench.Review;
using Sada.Workbench.Tests.Api;
using ReviewPage = Sada.Workbench.Components.Pages.Review;

namespace Sada.Workbench.Tests.Components;

/// <summary>The review page on stored metrics (no training: <see cref="ApiFixture"/>), rendered by bUnit as a signed-in Reviewer.</summary>
public class ReviewPageTests : IClassFixture<ApiFixture>, IAsyncLifetime
{
    readonly BunitContext _ctx = PageContext.Create();
    readonly ApiFixture _api;

    public ReviewPageTests(ApiFixture api)
    {
        _api = api;
        _ctx.SignInAs(WorkbenchRoles.Reviewer);
        foreach (var type in new[] { typeof(ReviewPages), typeof(MisclassificationGallery), typeof(Sada.Workbench.Runs.RunSetFeeds) })
            _ctx.Services.AddSingleton(type, api.Factory.Services.GetRequiredService(type));
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    static RunMetric Metric(int step, double validation, double accuracy, double f1) => new()
    {
        Step = step, Stage = 2, HeldOutAccuracy = accuracy, HeldOutF1Macro = f1, ValidationAccuracy = validation, CreatedAt = DateTime.UtcNow,
        ConfusionJson = """{"classes": ["monocyte", "neutrophil"], "counts": [[3, 1], [0, 4]]}""",
        PerClassRecallJson = """{"monocyte": 0.75, "neutrophil": 1.0}""",
    };

    [Fact]
    public async Task A_study_is_grouped_by_held_out_center_with_each_runs_selected_evaluation_and_a_run_without_one_says_so()
    {
        var studies = _api.Factory.Services.GetRequiredService<StudyService>();
        var study = await studies.CreateAsync(new StudyRequest("review study", "cells",
            [new StudyVariant("SADA", new AlgorithmConfig()), new StudyVariant("ERM", new AlgorithmConfig { Algorithm = "erm" })], ["raabin", "zheng"], [0]));
        int waiting;
        using (var db = _api.Db())
        {
            var runs = db.Runs.Where(r => r.StudyId == study.Id).OrderBy(r => r.Id).ToList();
            Assert.Equal(4, runs.Count);
            foreach (var (r, i) in runs.Select((r, i) => (r, i)).Where(x => x.r.HoldoutCenter == "raabin"))
            {
                r.Status = RunStatus.Completed;
                // The selected evaluation is the best validation (step 20), not the last one.
                r.Metrics.AddRange([Metric(10, 0.5, 0.11, 0.12), Metric(20, 0.9, 0.61 + i / 100.0, 0.52), Metric(30, 0.7, 0.99, 0.99)]);
            }
            waiting = runs.First(r => r.HoldoutCenter == "zheng").Id;
            db.SaveChanges();
        }

        _ctx.Services.GetRequiredService<NavigationManager>().NavigateTo($"/review?study={study.Id}");
        var page = _ctx.Render<ReviewPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=center]").Count));

        var centers = page.FindAll("[data-testid=center]");
        Assert.Contains("Held out: raabin", centers[0].TextContent);
        Assert.Contains("Held out: zheng", centers[1].TextContent);
        var raabin = centers[0].QuerySelectorAll("[data-testid=run-row]");
        Assert.Equal(["SADA", "ERM"], raabin.Select(r => r.Children[1].TextContent));
        Assert.All(raabin, r => Assert.Equal("52.0 %", r.QuerySelector("[data-testid=f1-macro]")!.TextContent));
        Assert.All(raabin, r => Assert.Equal("20", r.Children[4].TextContent));
        Assert.Equal(["SADA, mean over 1 run", "ERM, mean over 1 run"],
            centers[0].QuerySelectorAll("[data-testid=variant-mean]").Select(m => m.TextContent.Split(':')[0].Trim()));
        Assert.All(centers[1].QuerySelectorAll("[data-testid=accuracy]"), a => Assert.Equal("", a.TextContent));

        // A completed run's details: recall and confusion of the selected step; its weights were never written, and the page says so.
        centers[0].QuerySelectorAll("button").First(b => b.TextContent.Contains("Details")).Click();
        page.WaitForAssertion(() => Assert.Contains("has no stored weights", page.Find("[data-testid=no-checkpoint]").TextContent));
        Assert.Equal(20, page.FindComponent<Sada.Workbench.Components.Shared.ConfusionHeatmap>().Instance.Step);
        Assert.Empty(page.FindAll("[data-testid=gallery-start]"));

        // A queued run: no evaluation yet.
        var row = page.FindAll("[data-testid=run-row]").First(r => r.TextContent.Contains($"#{waiting}"));
        row.QuerySelector("button")!.Click();
        page.WaitForAssertion(() => Assert.Contains("has made no evaluation yet", page.Find("[data-testid=no-checkpoint]").TextContent));
    }

    [Fact]
    public async Task A_studys_review_keeps_its_variants_apart_with_a_mean_per_variant_and_center_over_its_seeds()
    {
        var studies = _api.Factory.Services.GetRequiredService<StudyService>();
        var study = await studies.CreateAsync(new StudyRequest("review variants apart", "cells",
            [new StudyVariant("SADA", new AlgorithmConfig()), new StudyVariant("ERM", new AlgorithmConfig { Algorithm = "erm" })], ["raabin"], [0, 1]));
        using (var db = _api.Db())
        {
            foreach (var r in db.Runs.Where(r => r.StudyId == study.Id).ToList())
            {
                r.Status = RunStatus.Completed;
                // SADA 80 and 90 %, ERM 40 and 50 %: 85 and 45, never the 65 of all four together.
                double accuracy = (r.Algorithm == "sada" ? 0.80 : 0.40) + r.Seed / 10.0;
                r.Metrics.Add(Metric(10, 0.9, accuracy, accuracy - 0.1));
            }
            db.SaveChanges();
        }

        _ctx.Services.GetRequiredService<NavigationManager>().NavigateTo($"/review?study={study.Id}");
        var page = _ctx.Render<ReviewPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=variant-mean]").Count));

        Assert.Equal(["SADA, mean over 2 runs: accuracy 85.0 %, F1-macro 75.0 %", "ERM, mean over 2 runs: accuracy 45.0 %, F1-macro 35.0 %"],
            page.FindAll("[data-testid=variant-mean]").Select(m => string.Join(' ', m.TextContent.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries))));
        Assert.DoesNotContain("65.0 %", page.Markup);
    }

    [Fact]
    public async Task A_studys_review_shows_a_run_that_finishes_while_it_is_open_without_a_reload()
    {
        var studies = _api.Factory.Services.GetRequiredService<StudyService>();
        var study = await studies.CreateAsync(new StudyRequest("review live", "cells",
            [new StudyVariant("SADA", new AlgorithmConfig()), new StudyVariant("ERM", new AlgorithmConfig { Algorithm = "erm" })], ["zheng"], [0]));
        _ctx.Services.GetRequiredService<NavigationManager>().NavigateTo($"/review?study={study.Id}");
        var page = _ctx.Render<ReviewPage>();
        page.WaitForAssertion(() => Assert.StartsWith("0/2 done", page.Find("[data-testid=done]").TextContent.Trim()));
        Assert.All(page.FindAll("[data-testid=accuracy]"), a => Assert.Equal("", a.TextContent));

        Run run;
        using (var db = _api.Db())
        {
            run = db.Runs.Where(r => r.StudyId == study.Id).OrderBy(r => r.Id).First();
            run.Status = RunStatus.Completed;
            run.Metrics.Add(Metric(10, 0.9, 0.64, 0.55));
            db.SaveChanges();
        }
        await _api.Factory.Services.GetRequiredService<Sada.Workbench.Runs.IRunEvents>()
            .StatusChangedAsync(Sada.Data.Runs.Events.RunRef.Of(run), Sada.Data.Runs.Events.RunStatusMessage.From(run));

        page.WaitForAssertion(() => Assert.StartsWith("1/2 done", page.Find("[data-testid=done]").TextContent.Trim()));
        page.WaitForAssertion(() => Assert.Equal("64.0 %", page.FindAll("[data-testid=accuracy]")[0].TextContent));
        Assert.Equal("Completed", page.FindAll("[data-testid=run-row]")[0].Children[3].TextContent);
    }

    [Fact]
    public void An_unknown_run_says_so()
    {
        _ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("/review?run=987654");
        var page = _ctx.Render<ReviewPage>();
        page.WaitForAssertion(() => Assert.Contains("No run #987654.", page.Markup));
    }

    [Theory]
    [InlineData(typeof(ReviewPage))]
    [InlineData(typeof(Predict))]
    public void The_page_needs_the_read_policy(Type page) =>
        Assert.Equal([WorkbenchPolicies.Read], page.GetCustomAttributes<AuthorizeAttribute>().Select(a => a.Policy));
}
