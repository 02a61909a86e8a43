using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Sada.Core.Algorithms;
using Sada.Data.Entities;

namespace Sada.Workbench.Tests.Api;

public class StudiesApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    static object TwoByTwoByTwo(string name) => new
    {
        name, dataset = "cells",
        variants = new object[]
        {
            new { name = "SADA", config = new { steps = 20, stage1Steps = 10 } },
            new { name = "ERM", config = new { algorithm = "erm", steps = 20, stage1Steps = 10 } },
        },
        heldOut = new[] { "acevedo", "zheng" },
        seeds = 2,
    };

    [Fact]
    public async Task Two_algorithms_by_two_held_out_centers_by_two_seeds_queue_eight_runs()
    {
        using var client = fixture.Client();
        var response = await client.PostAsJsonAsync("/api/studies", TwoByTwoByTwo("2x2x2"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var study = await Json(response);
        int id = study.GetProperty("id").GetInt32();
        Assert.Equal($"/api/studies/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(8, study.GetProperty("runs").GetArrayLength());
        Assert.Equal(["acevedo", "zheng", "average"], study.GetProperty("table").GetProperty("columns").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains("sample standard deviation (n-1", study.GetProperty("table").GetProperty("definition").GetString());

        using var db = fixture.Db();
        var runs = db.Runs.AsNoTracking().Where(r => r.StudyId == id).ToList();
        Assert.Equal(8, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunStatus.Queued, r.Status));
        Assert.Equal(4, runs.Count(r => r.Algorithm == "erm"));
        Assert.Equal([0, 1], runs.Select(r => r.Seed).Distinct().Order());
        Assert.All(runs, r => Assert.Equal(20, AlgorithmConfig.FromJson(r.ConfigJson).Steps));
    }

    [Fact]
    public async Task The_table_and_its_exports_show_mean_and_std_over_seeds_with_the_best_in_bold()
    {
        using var client = fixture.Client();
        int id = (await Json(await client.PostAsJsonAsync("/api/studies", TwoByTwoByTwo("exports")))).GetProperty("id").GetInt32();
        using (var db = fixture.Db())
        {
            // SADA acevedo: 0.80 and 0.90 -> 85.0 +- 7.1 (sqrt(0.005)); ERM acevedo: 0.70 (one seed, 1/2).
            // Every other run stays queued.
            var values = new Dictionary<(string, string, int), (double, double)>
            {
                [("sada", "acevedo", 0)] = (0.80, 0.60), [("sada", "acevedo", 1)] = (0.90, 0.70), [("erm", "acevedo", 0)] = (0.70, 0.65),
            };
            foreach (var run in db.Runs.Where(r => r.StudyId == id).ToList())
                if (values.TryGetValue((run.Algorithm, run.HoldoutCenter, run.Seed), out var v))
                {
                    run.Status = RunStatus.Completed;
                    db.RunMetrics.Add(new RunMetric { RunId = run.Id, Step = 10, Stage = 2, ValidationAccuracy = 0.9, HeldOutAccuracy = v.Item1, HeldOutF1Macro = v.Item2 });
                    db.RunMetrics.Add(new RunMetric { RunId = run.Id, Step = 20, Stage = 2, ValidationAccuracy = 0.1, HeldOutAccuracy = 0.0, HeldOutF1Macro = 0.0 });
                }
            db.SaveChanges();
        }

        var table = (await Json(await client.GetAsync($"/api/studies/{id}"))).GetProperty("table");
        var sada = table.GetProperty("rows")[0].GetProperty("cells")[0];
        Assert.Equal(0.85, sada.GetProperty("f1Micro").GetProperty("mean").GetDouble(), 12);
        Assert.Equal(Math.Sqrt(0.005), sada.GetProperty("f1Micro").GetProperty("std").GetDouble(), 12);
        Assert.True(sada.GetProperty("bestF1Micro").GetBoolean());
        var erm = table.GetProperty("rows")[1].GetProperty("cells")[0];
        Assert.Equal(1, erm.GetProperty("f1Micro").GetProperty("n").GetInt32());
        Assert.Equal(2, erm.GetProperty("f1Micro").GetProperty("expected").GetInt32());
        Assert.True(erm.GetProperty("bestF1Macro").GetBoolean());

        var csv = await client.GetAsync($"/api/studies/{id}/table.csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n');
        Assert.Contains("SADA,acevedo,f1_micro,85.00,7.07,2,2,true", lines);
        Assert.Contains("SADA,acevedo,f1_macro,65.00,7.07,2,2,true", lines);
        Assert.Contains("ERM,acevedo,f1_macro,65.00,,1,2,true", lines);
        Assert.Contains("SADA,zheng,f1_micro,,,0,2,false", lines);

        var tex = await (await client.GetAsync($"/api/studies/{id}/table.tex")).Content.ReadAsStringAsync();
        Assert.Contains("\\toprule", tex);
        // F1-macro on acevedo is 65.0 for both (0.60 and 0.70 vs 0.65): a tie at the shown precision, both bold.
        Assert.Contains("SADA & \\textbf{85.0} $\\pm$ 7.1 / \\textbf{65.0} $\\pm$ 7.1 & -- / -- (0/2) & -- / -- (0/2) \\\\", tex);
        Assert.Contains("ERM & 70.0 / \\textbf{65.0} (1/2) &", tex);
    }

    [Fact]
    public async Task The_full_ablation_preset_and_all_held_out_centers()
    {
        using var client = fixture.Client();
        var response = await client.PostAsJsonAsync("/api/studies", new { name = "ablation", dataset = "cells", preset = "full-ablation", config = new { steps = 20, stage1Steps = 10 }, heldOut = "all" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var study = await Json(response);
        Assert.Equal(6 * 3 * 3, study.GetProperty("runs").GetArrayLength());
        Assert.Equal(6, study.GetProperty("grid").GetProperty("variants").GetArrayLength());
    }

    [Fact]
    public async Task The_table_one_preset_queues_six_methods_for_every_center_and_three_seeds_with_latex_rows_in_the_papers_order()
    {
        using var client = fixture.Client();
        var response = await client.PostAsJsonAsync("/api/studies", new { name = "table I", dataset = "cells", preset = "table-1", config = new { steps = 20, stage1Steps = 10 } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var study = await Json(response);
        var runs = study.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(6 * 3 * 3, runs.Count);
        var variants = study.GetProperty("grid").GetProperty("variants").EnumerateArray().ToList();
        Assert.Equal(["ERM", "CORAL", "Mixup", "SelfReg", "BoDA", "SADA"], variants.Select(v => v.GetProperty("name").GetString()));
        Assert.Equal(["erm", "coral", "mixup", "selfreg", "boda", "sada"], variants.Select(v => v.GetProperty("config").GetProperty("algorithm").GetString()));
        Assert.All(variants, v => Assert.Equal(20, v.GetProperty("config").GetProperty("steps").GetInt32()));
        Assert.Equal(3 * 3, runs.Count(r => r.GetProperty("algorithm").GetString() == "boda"));

        var tex = await (await client.GetAsync($"/api/studies/{study.GetProperty("id").GetInt32()}/table.tex")).Content.ReadAsStringAsync();
        var positions = new[] { "ERM", "CORAL", "Mixup", "SelfReg", "BoDA", "SADA" }.Select(name => tex.IndexOf($"\n{name} & ", StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p >= 0, tex));
        Assert.Equal(positions.Order(), positions);

        var unknown = await client.PostAsJsonAsync("/api/studies", new { name = "x", dataset = "cells", preset = "table-2" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("full-ablation, table-1", (await Json(unknown)).GetProperty("errors").GetProperty("preset")[0].GetString());
    }

    [Fact]
    public async Task Study_errors_are_problems_naming_the_field()
    {
        using var client = fixture.Client();
        var response = await client.PostAsJsonAsync("/api/studies", new { name = "x", dataset = "nope", variants = new[] { new { name = "SADA" } } });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("'nope'", (await Json(response)).GetProperty("detail").GetString());

        response = await client.PostAsJsonAsync("/api/studies", new
        {
            name = "x", dataset = "cells", heldOut = new[] { "lisc" }, seeds = 0,
            variants = new object[] { new { name = "SADA", config = new { k = 99 } } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await Json(response)).GetProperty("errors");
        Assert.Contains("between 1 and 100", errors.GetProperty("seeds")[0].GetString());

        response = await client.PostAsJsonAsync("/api/studies", new
        {
            name = "x", dataset = "cells", heldOut = new[] { "lisc" }, seeds = new[] { 1 },
            variants = new object[] { new { name = "SADA", config = new { k = 99 } } },
        });
        errors = (await Json(response)).GetProperty("errors");
        Assert.Contains("K must be between 1 and 16", errors.GetProperty("variants[0].config.K")[0].GetString());
        Assert.Contains("its centers are acevedo, raabin, zheng", errors.GetProperty("heldOut")[0].GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/studies/424242")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/studies/424242/table.csv")).StatusCode);
    }

    [Fact]
    public async Task The_sada_vs_erm_preset_on_one_center_and_one_seed_is_two_runs_and_a_bad_custom_grid_is_named_per_field()
    {
        using var client = fixture.Client();
        var response = await client.PostAsJsonAsync("/api/studies", new
        {
            name = "sada vs erm", dataset = "cells", preset = "sada-vs-erm", config = new { steps = 20, stage1Steps = 10 }, heldOut = new[] { "raabin" }, seeds = new[] { 0 },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var study = await Json(response);
        Assert.Equal(["sada", "erm"], study.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("algorithm").GetString()).Order().Reverse());
        Assert.Equal(["SADA", "ERM"], study.GetProperty("grid").GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("name").GetString()));

        // The form's checks, made by the same service: duplicate names, no center, an empty grid.
        response = await client.PostAsJsonAsync("/api/studies", new
        {
            name = "x", dataset = "cells", heldOut = Array.Empty<string>(), seeds = new[] { 0 },
            variants = new object[] { new { name = "A", config = new { } }, new { name = "A", config = new { algorithm = "erm" } } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await Json(response)).GetProperty("errors");
        Assert.Contains("the name 'A' is used twice", errors.GetProperty("variants[1].name")[0].GetString());
        Assert.Contains("at least one held-out center", errors.GetProperty("heldOut")[0].GetString());
        response = await client.PostAsJsonAsync("/api/studies", new { name = "x", dataset = "cells", variants = Array.Empty<object>() });
        Assert.Contains("at least one variant", (await Json(response)).GetProperty("errors").GetProperty("variants")[0].GetString());
    }
}
