using System.Reflection;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Sada.Core.Algorithms;
using Sada.Data.Entities;
using Sada.Workbench.Accounts;
using Sada.Workbench.Components.Pages;
using Sada.Workbench.Runs;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Components;

/// <summary>
/// The new-run form on the real services of a workbench without trainer (<see cref="ApiFixture"/>: dataset "cells" with
/// centers acevedo, raabin and zheng), rendered by bUnit; what it queues is read back from the database.
/// </summary>
public class NewRunPageTests : IClassFixture<ApiFixture>, IAsyncLifetime
{
    readonly BunitContext _ctx = PageContext.Create();
    readonly ApiFixture _api;
    readonly NewRunPages _pages;
    readonly Bunit.TestDoubles.BunitAuthorizationContext _auth;

    public NewRunPageTests(ApiFixture api)
    {
        _api = api;
        _pages = api.Factory.Services.GetRequiredService<NewRunPages>();
        _ctx.Services.AddSingleton(_pages);
        _auth = _ctx.SignInAs(WorkbenchRoles.Researcher);
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    IRenderedComponent<NewRun> Render(int? from = null)
    {
        var nav = _ctx.Services.GetRequiredService<NavigationManager>();
        nav.NavigateTo(from is int id ? $"runs/new?from={id}" : "runs/new");
        var page = _ctx.Render<NewRun>();
        page.WaitForElement("[data-testid=submit]");
        return page;
    }

    int RunCount()
    {
        using var db = _api.Db();
        return db.Runs.Count();
    }

    static IElement Field(IRenderedComponent<NewRun> page, string field) => page.Find($"[data-testid={field}]");

    /// <summary>The grid's rows as "name: what differs from the shared settings".</summary>
    static List<string> GridRows(IRenderedComponent<NewRun> page) =>
        page.FindAll("[data-testid=grid-row]").Select(r => $"{r.QuerySelector("input")!.GetAttribute("value")}: {r.QuerySelector("[data-testid=variant-diff]")!.TextContent.Trim()}").ToList();

    /// <summary>The messages under a field: the helper line of the MudBlazor input control around it.</summary>
    static string MessageOf(IRenderedComponent<NewRun> page, string field) =>
        Field(page, field).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text")!.TextContent.Trim();

    [Theory]
    [InlineData(nameof(AlgorithmConfig.Steps), "-5", "must be at least 1")]
    [InlineData(nameof(AlgorithmConfig.LaWeight), "-0.5", "must not be negative")]
    [InlineData(nameof(AlgorithmConfig.ImageSize), "2000", "must be between 16 and 1024 pixels")]
    [InlineData(nameof(AlgorithmConfig.JitterHue), "0.7", "must be between 0 and 0.5")]
    public void A_bad_value_shows_its_message_next_to_its_field_and_nothing_is_queued(string field, string value, string message)
    {
        var page = Render();
        Assert.StartsWith("default", MessageOf(page, field));
        int before = RunCount();

        Field(page, field).Change(value);

        page.WaitForAssertion(() => Assert.Equal(message, MessageOf(page, field)));
        Assert.Equal("true", Field(page, field).GetAttribute("aria-invalid"));
        // Another field keeps its default line.
        Assert.Equal("default 400", MessageOf(page, nameof(AlgorithmConfig.EvalEvery)));
        Assert.True(Field(page, "submit").HasAttribute("disabled"));
        Field(page, "submit").Click();
        Assert.Equal(before, RunCount());
        Assert.EndsWith("/runs/new", _ctx.Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public void A_small_rate_reads_as_a_plain_decimal_in_the_field_and_its_default()
    {
        var page = Render();
        Assert.Equal("0.00005", Field(page, nameof(AlgorithmConfig.LearningRate)).GetAttribute("value"));
        Assert.Equal("default 0.00005", MessageOf(page, nameof(AlgorithmConfig.LearningRate)));
    }

    [Fact]
    public void A_first_SADA_run_from_the_form_starts_from_the_built_in_ImageNet_weights_and_scratch_is_one_switch_away()
    {
        var page = Render();
        Assert.Equal("resnet18-imagenet", Field(page, "Backbone").TextContent.Trim());
        Assert.Equal("ImageNet", Field(page, "Init").TextContent.Trim());
        Assert.Contains("third block in layer4", Field(page, "backbone-description").TextContent);
        Assert.Contains("now frozen", MessageOf(page, "FreezeBatchNorm"));
        Field(page, "submit").Click();

        using (var db = _api.Db())
        {
            var run = db.Runs.AsNoTracking().OrderBy(r => r.Id).Last();
            var config = AlgorithmConfig.FromJson(run.ConfigJson);
            Assert.Equal(("sada", "resnet18-imagenet", BackboneInit.ImageNet, BatchNormPolicy.Auto), (config.Algorithm, config.Backbone, config.Init, config.FreezeBatchNorm));
            Assert.Contains("\"init\":\"imageNet\"", run.ConfigJson);
        }

        // From scratch: one field; the BatchNorm policy's helper says what auto now means.
        page = Render();
        var form = page.FindComponent<Sada.Workbench.Components.Shared.AlgorithmConfigFields>();
        page.InvokeAsync(() => form.Instance.ConfigChanged.InvokeAsync(form.Instance.Config with { Init = BackboneInit.Scratch }));
        page.WaitForAssertion(() => Assert.Equal("Scratch", Field(page, "Init").TextContent.Trim()));
        Assert.Contains("now trained", MessageOf(page, "FreezeBatchNorm"));
    }

    [Fact]
    public void Channels_last_and_bfloat16_are_switches_of_the_form_stored_in_the_run_config()
    {
        var page = Render();
        Field(page, nameof(AlgorithmConfig.ChannelsLast)).Change(true);
        Field(page, nameof(AlgorithmConfig.BFloat16)).Change(true);
        Field(page, "submit").Click();

        using var db = _api.Db();
        var config = AlgorithmConfig.FromJson(db.Runs.AsNoTracking().OrderBy(r => r.Id).Last().ConfigJson);
        Assert.Equal((true, true), (config.ChannelsLast, config.BFloat16));
    }

    [Fact]
    public void The_ERM_preset_sets_the_algorithm_and_one_run_opens_its_page()
    {
        var page = Render();
        Field(page, "Steps").Change("20");
        Field(page, "preset-Erm").Click();

        page.WaitForAssertion(() => Assert.Equal("erm", Field(page, "Algorithm").TextContent.Trim()));
        // A preset fills every field: the steps are the method's again.
        Assert.Equal("8001", Field(page, "Steps").GetAttribute("value"));
        Field(page, "submit").Click();

        using var db = _api.Db();
        var run = db.Runs.AsNoTracking().OrderBy(r => r.Id).Last();
        Assert.Equal("erm", run.Algorithm);
        Assert.Equal(new AlgorithmConfig { Algorithm = "erm" }, AlgorithmConfig.FromJson(run.ConfigJson));
        Assert.Equal(("acevedo", 0), (run.HoldoutCenter, run.Seed));
        Assert.EndsWith($"/runs/{run.Id}", _ctx.Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public void Every_center_and_two_seeds_queue_a_run_each_and_lead_to_the_runs_list()
    {
        var page = Render();
        Field(page, "all-centers").Click();
        Field(page, "seeds").Change("3, 4");
        page.WaitForAssertion(() => Assert.Equal("3 held-out centers x 2 seeds = 6 runs", Field(page, "count").TextContent.Trim()));
        int before = RunCount();

        Field(page, "submit").Click();

        using var db = _api.Db();
        var runs = db.Runs.AsNoTracking().OrderBy(r => r.Id).Skip(before).ToList();
        Assert.Equal(6, runs.Count);
        Assert.Equal(["acevedo", "raabin", "zheng"], runs.Select(r => r.HoldoutCenter).Distinct().Order());
        Assert.Equal([3, 4], runs.Select(r => r.Seed).Distinct().Order());
        Assert.All(runs, r => Assert.Null(r.StudyId));
        Assert.EndsWith("/runs", _ctx.Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public void Seeds_and_held_out_centers_are_checked_next_to_their_fields()
    {
        var page = Render();
        Field(page, "seeds").Change("1, 1");
        page.WaitForAssertion(() => Assert.Equal("seeds must be distinct", MessageOf(page, "seeds")));
        Field(page, "seeds").Change("1, x");
        page.WaitForAssertion(() => Assert.Equal("'x' is not a seed; write whole numbers separated by commas, or a count (n=3)", MessageOf(page, "seeds")));
        Field(page, "center-acevedo").Change(false);
        page.WaitForAssertion(() => Assert.Equal("choose at least one held-out center", Field(page, "held-out-error").TextContent));
        Assert.True(Field(page, "submit").HasAttribute("disabled"));
    }

    [Fact]
    public void The_full_ablation_preset_shows_its_grid_and_queues_it_as_one_study()
    {
        var page = Render();
        Field(page, "preset-FullAblation").Click();

        page.WaitForAssertion(() => Assert.Equal("6 variants x 3 held-out centers x 3 seeds = 54 runs", Field(page, "count").TextContent.Trim()));
        Assert.Equal(["SADA: (the shared settings)", "SADA w/o SBA: stainAugmentation=false", "SADA w/o LA: laWeight=0", "SADA w/o DISC: contrast=none",
            "SADA single-stage: twoStage=false", "ERM: algorithm=erm"], GridRows(page));
        Assert.Equal("0, 1, 2", Field(page, "seeds").GetAttribute("value"));
        // The grid switches the ablations off itself, so they are not the form's to change.
        Assert.True(Field(page, "StainAugmentation").HasAttribute("disabled"));
        Field(page, "study-name").Change("ablation, 20 steps");
        Field(page, "Steps").Change("20");
        Field(page, "Stage1Steps").Change("10");
        int before = RunCount();

        page.WaitForAssertion(() => Assert.Equal("Create study (54 runs)", Field(page, "submit").TextContent.Trim()));
        Field(page, "submit").Click();

        using var db = _api.Db();
        var study = db.Studies.AsNoTracking().Include(s => s.Runs).Single(s => s.Name == "ablation, 20 steps");
        Assert.Equal(54, study.Runs.Count);
        Assert.Equal(before + 54, RunCount());
        Assert.All(study.Runs, r => Assert.Equal(20, AlgorithmConfig.FromJson(r.ConfigJson).Steps));
        Assert.Equal(18, study.Runs.Count(r => r.HoldoutCenter == "zheng"));
        Assert.EndsWith($"/compare?study={study.Id}", _ctx.Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public void The_table_one_preset_shows_the_papers_rows_and_queues_them_as_one_study()
    {
        var page = Render();
        Field(page, "preset-TableOne").Click();

        page.WaitForAssertion(() => Assert.Equal("6 variants x 3 held-out centers x 3 seeds = 54 runs", Field(page, "count").TextContent.Trim()));
        Assert.Equal(["ERM: algorithm=erm", "CORAL: algorithm=coral", "Mixup: algorithm=mixup", "SelfReg: algorithm=selfreg", "BoDA: algorithm=boda",
            "SADA: (the shared settings)"], GridRows(page));
        // Every row shares the form's settings, SADA's switches included.
        Assert.False(Field(page, "StainAugmentation").HasAttribute("disabled"));
        Field(page, "study-name").Change("table one, 20 steps");
        Field(page, "Steps").Change("20");
        Field(page, "Stage1Steps").Change("10");

        page.WaitForAssertion(() => Assert.Equal("Create study (54 runs)", Field(page, "submit").TextContent.Trim()));
        Field(page, "submit").Click();

        using var db = _api.Db();
        var study = db.Studies.AsNoTracking().Include(s => s.Runs).Single(s => s.Name == "table one, 20 steps");
        Assert.Equal(54, study.Runs.Count);
        Assert.Equal(["boda", "coral", "erm", "mixup", "sada", "selfreg"], study.Runs.Select(r => r.Algorithm).Distinct().Order());
        Assert.All(study.Runs, r => Assert.Equal(20, AlgorithmConfig.FromJson(r.ConfigJson).Steps));
    }

    [Fact]
    public void A_grid_with_two_rows_of_one_config_is_refused_next_to_the_row_and_queues_nothing()
    {
        var page = Render();
        Field(page, "preset-FullAblation").Click();
        // LA weight 0 in the shared settings makes the SADA row the same as the "w/o LA" row: valid values, but a grid the study refuses.
        Field(page, nameof(AlgorithmConfig.LaWeight)).Change("0");
        int before = RunCount();

        page.WaitForAssertion(() => Assert.Equal("the same config as variant 'SADA'", Field(page, "variant-error-2").TextContent));
        Assert.True(Field(page, "submit").HasAttribute("disabled"));
        Assert.Equal(before, RunCount());
    }

    [Fact]
    public async Task A_custom_study_from_the_sada_vs_erm_preset_with_a_row_edited_in_place_and_one_added_queues_every_row_as_edited()
    {
        var page = Render();
        Field(page, "Steps").Change("20");
        Field(page, "Stage1Steps").Change("10");
        Field(page, "preset-SadaVsErm").Click();
        page.WaitForAssertion(() => Assert.Equal(["SADA: (the shared settings)", "ERM: algorithm=erm"], GridRows(page)));
        Field(page, "center-acevedo").Change(false);
        Field(page, "center-zheng").Change(false);
        Field(page, "seeds").Change("n=2");
        page.WaitForAssertion(() => Assert.Equal("2 variants x 1 held-out center x 2 seeds = 4 runs", Normalise(Field(page, "count").TextContent)));

        // Edit ERM alone in place: the fields now show its config; 30 steps on that row only.
        Field(page, "edit-1").Click();
        page.WaitForAssertion(() => Assert.Equal("erm", page.FindComponent<Sada.Workbench.Components.Shared.AlgorithmConfigFields>().Instance.Config.Algorithm));
        Field(page, "Steps").Change("30");
        page.WaitForAssertion(() => Assert.Contains("steps", Field(page, "variant-edited").TextContent));
        Field(page, "edit-shared").Click();

        // A third row from the registry, then a name used twice is refused under the name until it is changed.
        var add = page.FindComponents<MudBlazor.MudSelect<string>>().Single(c => c.Instance.Label == "Add a row");
        await add.InvokeAsync(() => add.Instance.ValueChanged.InvokeAsync("coral"));
        page.WaitForAssertion(() => Assert.Equal(3, GridRows(page).Count));
        Field(page, "variant-name-2").Change("ERM");
        page.WaitForAssertion(() => Assert.Equal("the name 'ERM' is used twice (row 2 has it)", MessageOf(page, "variant-name-2")));
        Assert.True(Field(page, "submit").HasAttribute("disabled"));
        Field(page, "variant-name-2").Change("CORAL");
        Field(page, "study-name").Change("custom grid");
        page.WaitForAssertion(() => Assert.Equal("Create study (6 runs)", Field(page, "submit").TextContent.Trim()));
        Field(page, "submit").Click();

        using var db = _api.Db();
        var study = db.Studies.AsNoTracking().Include(s => s.Runs).Single(s => s.Name == "custom grid");
        Assert.Equal(6, study.Runs.Count);
        Assert.All(study.Runs, r => Assert.Equal("raabin", r.HoldoutCenter));
        Assert.Equal([0, 1], study.Runs.Select(r => r.Seed).Distinct().Order());
        var steps = study.Runs.GroupBy(r => r.Algorithm).ToDictionary(g => g.Key, g => g.Select(r => AlgorithmConfig.FromJson(r.ConfigJson).Steps).Distinct().Single());
        Assert.Equal(new Dictionary<string, int> { ["sada"] = 20, ["erm"] = 30, ["coral"] = 20 }, steps);
        Assert.EndsWith($"/compare?study={study.Id}", _ctx.Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public void An_empty_grid_no_center_and_a_bad_seed_list_each_say_so_next_to_their_field()
    {
        var page = Render();
        Field(page, "preset-SadaVsErm").Click();
        Field(page, "remove-1").Click();
        Field(page, "remove-0").Click();
        page.WaitForAssertion(() => Assert.Contains("the grid is empty", Field(page, "variants-error").TextContent));
        foreach (var center in new[] { "acevedo", "raabin", "zheng" }) Field(page, $"center-{center}").Change(false);
        page.WaitForAssertion(() => Assert.Equal("choose at least one held-out center", Field(page, "held-out-error").TextContent));
        Field(page, "seeds").Change("0, -1");
        page.WaitForAssertion(() => Assert.Equal("seeds must not be negative", MessageOf(page, "seeds")));
        Field(page, "seeds").Change("n=0");
        page.WaitForAssertion(() => Assert.Equal("a seed count is between 1 and 100", MessageOf(page, "seeds")));
        Assert.True(Field(page, "submit").HasAttribute("disabled"));
    }

    [Fact]
    public void From_a_stored_run_pre_fills_dataset_center_seed_and_config()
    {
        var stored = new AlgorithmConfig { Backbone = "resnet18", Init = BackboneInit.Scratch, ImageSize = 64, Steps = 300, Stage1Steps = 150, K = 4, LaWeight = 0.5, Seed = 7 };
        int id = StoreRun(stored, "zheng");

        var page = Render(from: id);

        Assert.Contains($"Pre-filled from run #{id}", Field(page, "from").TextContent);
        Assert.Equal("300", Field(page, "Steps").GetAttribute("value"));
        Assert.Equal("4", Field(page, "K").GetAttribute("value"));
        Assert.Equal("resnet18", Field(page, "Backbone").TextContent.Trim());
        Assert.Equal("7", Field(page, "seeds").GetAttribute("value"));
        Assert.True(Field(page, "center-zheng").HasAttribute("checked"));
        Assert.False(Field(page, "center-acevedo").HasAttribute("checked"));
        int before = RunCount();

        Field(page, "submit").Click();

        using var db = _api.Db();
        var run = db.Runs.AsNoTracking().OrderBy(r => r.Id).Skip(before).Single();
        Assert.Equal(stored, AlgorithmConfig.FromJson(run.ConfigJson));
        Assert.Equal(("zheng", 7), (run.HoldoutCenter, run.Seed));
    }

    [Fact]
    public void An_unknown_source_run_leaves_the_defaults_and_says_so()
    {
        var page = Render(from: 987654);
        Assert.Contains("No run #987654", page.Markup);
        Assert.Equal("8001", Field(page, "Steps").GetAttribute("value"));
    }

    [Fact]
    public void The_estimate_says_when_nothing_was_measured_then_uses_the_measured_speed_for_a_run_and_a_study()
    {
        var page = Render();
        Assert.Equal($"No estimate: no run with resnet18-imagenet on {_pages.Device} has measured its speed yet. Evaluations and t-SNE come on top.",
            Normalise(Field(page, "estimate").TextContent));

        // A past run with the method's model: 10 steps (4 with k = 3 views), 20 cells/s averaged to step 9 = 36 views/s.
        StoreRun(new AlgorithmConfig { Steps = 10, Stage1Steps = 4, BatchPerCenter = 8 }, "acevedo", device: _pages.Device, imagesPerSecond: 20);
        page = Render();

        // One default run on 2 training centers: 32 x 2 x (4000 x 3 + 4001) = 1,024,064 views / 36 = 28,446 s = 7 h 54 min.
        Assert.Equal($"About 7 h 54 min of training for 1 run (1,024,064 images through the backbone; median of 1 run with resnet18-imagenet at 224 px on "
            + $"{_pages.Device}: 36 views/s). Evaluations and t-SNE come on top.", Normalise(Field(page, "estimate").TextContent));

        // The study: per center and seed 4 x 16,001 + 24,003 (single stage: k views every step) + 8,001 (ERM) = 96,008 views per cell,
        // x 32 x 2 x 3 centers x 3 seeds = 55,300,608 views / 36 = 1,536,128 s = 25,602 min.
        Field(page, "preset-FullAblation").Click();
        page.WaitForAssertion(() => Assert.StartsWith("About 426 h 42 min of training for 54 runs (55,300,608 images", Normalise(Field(page, "estimate").TextContent)));
    }

    [Fact]
    public void Submit_rechecks_the_role_and_queues_nothing_once_it_was_taken_away()
    {
        var page = Render();
        int before = RunCount();
        // The account loses its researcher rights while the form is open.
        _auth.BecomeRole(WorkbenchRoles.Reviewer);

        Field(page, "submit").Click();

        page.WaitForAssertion(() => Assert.Equal(WorkbenchPolicies.Refusal(WorkbenchPolicies.Train), Field(page, "refusal").TextContent));
        Assert.Equal(before, RunCount());
    }

    [Fact]
    public async Task The_workbench_serves_the_form_to_a_researcher_and_not_to_a_reviewer()
    {
        using var researcher = _api.Client(WorkbenchRoles.Researcher);
        var html = (await researcher.GetStringAsync("/runs/new")).Replace("<!--!-->", "");
        Assert.Contains("New run</h4>", html);
        Assert.Contains("Queue 1 run", html);

        using var reviewer = _api.Client(WorkbenchRoles.Reviewer);
        var refused = await reviewer.GetAsync("/runs/new");
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.DoesNotContain("data-testid=\"submit\"", await refused.Content.ReadAsStringAsync());
        Assert.Contains(WorkbenchPolicies.Train, typeof(NewRun).GetCustomAttributes<AuthorizeAttribute>().Select(a => a.Policy));
    }

    static string Normalise(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    int StoreRun(AlgorithmConfig config, string heldOut, string? device = null, double? imagesPerSecond = null)
    {
        using var db = _api.Db();
        var run = new Run
        {
            DatasetId = db.Datasets.Single(d => d.Name == "cells").Id, HoldoutCenter = heldOut, Algorithm = config.Algorithm,
            ConfigJson = config.ToJson(), Seed = config.Seed, Status = RunStatus.Completed, TotalSteps = config.Steps, CreatedAt = DateTime.UtcNow,
            Device = device,
            Metrics = imagesPerSecond is double ips ? [new RunMetric { Step = config.Steps - 1, Stage = 2, ImagesPerSecond = ips, CreatedAt = DateTime.UtcNow }] : [],
        };
        db.Runs.Add(run);
        db.SaveChanges();
        return run.Id;
    }
}
