using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Sada.Core.Algorithms;
using Sada.Data.Entities;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;
using Sada.Workbench.Accounts;
using Sada.Workbench.Components.Runs;
using Sada.Workbench.Runs;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Components;

/// <summary>The run overview (what the run is, its config against the defaults, its name, tags and notes) and the runs table, by bUnit on a workbench without trainer.</summary>
public class RunOverviewTests : IClassFixture<ApiFixture>, IAsyncLifetime
{
    readonly BunitContext _ctx = PageContext.Create();
    readonly ApiFixture _api;

    public RunOverviewTests(ApiFixture api)
    {
        _api = api;
        _ctx.Services.AddSingleton(api.Factory.Services.GetRequiredService<RunOverviewPages>());
        _ctx.Services.AddSingleton(api.Factory.Services.GetRequiredService<RunsTablePages>());
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    int StoreRun(AlgorithmConfig config, string? name = null, string[]? tags = null, string heldOut = "zheng")
    {
        using var db = _api.Db();
        var run = new Run
        {
            DatasetId = db.Datasets.Single(d => d.Name == "cells").Id, HoldoutCenter = heldOut, Algorithm = config.Algorithm, ConfigJson = config.ToJson(),
            Seed = config.Seed, Status = RunStatus.Completed, TotalSteps = 100, Step = 99, Device = "cpu", CodeVersion = "abc1234",
            CreatedAt = new DateTime(2026, 11, 29, 10, 0, 0, DateTimeKind.Utc), StartedAt = new DateTime(2026, 11, 29, 10, 0, 5, DateTimeKind.Utc),
            FinishedAt = new DateTime(2026, 11, 29, 11, 2, 8, DateTimeKind.Utc), Name = name, Tags = (tags ?? []).Select(t => new RunTag { Name = t }).ToList(),
        };
        db.Runs.Add(run);
        db.SaveChanges();
        return run.Id;
    }

    static RunFeed Feed(int runId, params (int Step, double? Validation, double F1)[] evaluations)
    {
        var feed = new RunFeed(runId);
        feed.ApplyHistory(new RunHistoryMessage(
            new RunStatusMessage(runId, null, "Completed", 99, 100, null, "cpu", "abc1234", new DateTime(2026, 11, 29, 10, 0, 5, DateTimeKind.Utc), new DateTime(2026, 11, 29, 11, 2, 8, DateTimeKind.Utc)),
            evaluations.Select(e => new MetricMessage(runId, e.Step, 1, new Dictionary<string, double>(), e.F1, e.F1 / 2, new Dictionary<string, double?>(),
                new ConfusionMessage([], []), e.Validation, new Dictionary<string, double>(), null, 1)).ToList(), [], [], []));
        return feed;
    }

    [Fact]
    public void Shows_what_the_run_is_and_marks_the_config_fields_that_differ_from_its_algorithms_defaults()
    {
        _ctx.SignInAs(WorkbenchRoles.Reviewer);
        var config = new AlgorithmConfig { Algorithm = "erm", K = 5, ImageSize = 64, Seed = 3 };
        int id = StoreRun(config, "erm at 64 px", ["sweep"]);
        var overview = _ctx.Render<RunOverview>(ps => ps.Add(p => p.RunId, id).Add(p => p.Feed, Feed(id, (10, 0.7, 0.5), (20, 0.9, 0.8), (30, 0.9, 0.6))));

        overview.WaitForAssertion(() => Assert.Equal("erm at 64 px", overview.Find("[data-testid=run-name]").TextContent));
        Assert.Equal("sweep", overview.Find("[data-testid=run-tag]").TextContent);
        Assert.Equal("zheng", overview.Find("[data-testid=fact-heldout]").TextContent);
        Assert.Equal("1:02:03", overview.Find("[data-testid=fact-duration]").TextContent);
        Assert.Contains("abc1234", overview.Find("[data-testid=run-facts]").TextContent);
        // The selected evaluation: best validation, ties to the earliest step.
        Assert.Equal("20", overview.Find("[data-testid=selected-step]").TextContent);
        Assert.Equal("80.0% / 40.0%", overview.Find("[data-testid=selected-f1]").TextContent);

        var changed = overview.FindAll("tr[data-changed=true]").Select(r => r.GetAttribute("data-field")).ToList();
        Assert.Equal(["imageSize", "seed", "k"], changed);
        Assert.Equal(ConfigFields.Of(new AlgorithmConfig()).Count, overview.FindAll("tr[data-field]").Count);
        Assert.Contains("3 differ from the erm defaults", overview.Markup);
        // A reviewer reads, and is offered no editing.
        Assert.Empty(overview.FindAll("[data-testid=edit-annotations]"));
    }

    [Fact]
    public void A_researcher_edits_name_tags_and_notes_and_a_bad_tag_is_named_under_its_field_before_saving()
    {
        _ctx.SignInAs(WorkbenchRoles.Researcher);
        int id = StoreRun(new AlgorithmConfig());
        var overview = _ctx.Render<RunOverview>(ps => ps.Add(p => p.RunId, id).Add(p => p.Feed, Feed(id)));
        overview.WaitForAssertion(() => Assert.Contains("(no name)", overview.Find("[data-testid=run-name]").TextContent));
        Assert.Empty(overview.FindAll("tr[data-changed=true]"));
        Assert.Contains("no evaluation", overview.Find("[data-testid=selected-step]").TextContent);

        overview.Find("[data-testid=edit-annotations]").Click();
        overview.Find("[data-testid=edit-name]").Input("baseline run");
        overview.Find("[data-testid=edit-tags]").Input("Paper, semi;colon");
        overview.WaitForAssertion(() => Assert.Contains("';'", overview.Find("[data-testid=edit-tags]").Closest(".mud-input-control")!.TextContent));
        Assert.True(overview.Find("[data-testid=save-annotations]").HasAttribute("disabled"));
        overview.Find("[data-testid=edit-tags]").Input("Paper, k5");
        overview.Find("[data-testid=edit-notes]").Input("first of three");
        overview.WaitForAssertion(() => Assert.False(overview.Find("[data-testid=save-annotations]").HasAttribute("disabled")));
        overview.Find("[data-testid=save-annotations]").Click();

        overview.WaitForAssertion(() => Assert.Equal("baseline run", overview.Find("[data-testid=run-name]").TextContent));
        Assert.Equal(["k5", "paper"], overview.FindAll("[data-testid=run-tag]").Select(t => t.TextContent));
        Assert.Equal("first of three", overview.Find("[data-testid=run-notes]").TextContent);
        using var db = _api.Db();
        Assert.Equal("baseline run", db.Runs.Single(r => r.Id == id).Name);
    }

    [Fact]
    public void The_runs_table_shows_names_and_tags_and_narrows_by_search()
    {
        _ctx.SignInAs(WorkbenchRoles.Reviewer);
        int named = StoreRun(new AlgorithmConfig { Algorithm = "coral" }, "coral look", ["table-test"], "raabin");
        int other = StoreRun(new AlgorithmConfig { Algorithm = "coral" }, "another", [], "raabin");
        var table = _ctx.Render<RunsTable>();
        table.WaitForAssertion(() => Assert.Contains(table.FindAll("[data-testid=run-name]"), n => n.TextContent == "coral look"));
        Assert.Contains(table.FindAll("[data-testid=run-tag]"), t => t.TextContent == "table-test");
        Assert.NotNull(table.Find($"a[href='runs/{named}']"));

        table.Find("[data-testid=runs-search]").Input("CORAL LOOK");
        table.WaitForAssertion(() => Assert.Equal(["coral look"], table.FindAll("[data-testid=run-name]").Select(n => n.TextContent)), TimeSpan.FromSeconds(5));
        Assert.Empty(table.FindAll($"a[href='runs/{other}']"));
        Assert.Equal("1 run", table.Find("[data-testid=runs-total]").TextContent);
    }
}
