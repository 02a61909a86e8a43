using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Sada.Core.Algorithms;
using Sada.Data.Entities;

namespace Sada.Workbench.Tests.Api;

public class RunsApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = await Json(response);
        Assert.Equal((int)status, json.GetProperty("status").GetInt32());
        return json;
    }

    int RunCount()
    {
        using var db = fixture.Db();
        return db.Runs.Count();
    }

    [Fact]
    public async Task A_partial_config_is_merged_over_the_defaults_and_stored_in_full()
    {
        using var client = fixture.Client();
        var response = await client.PostAsJsonAsync("/api/runs", new
        {
            dataset = "cells", heldOut = "raabin", seed = 4,
            config = new { k = 5, steps = 30, stage1Steps = 10, evalEvery = 10, contrast = "supCon" },
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var run = await Json(response);
        int id = run.GetProperty("id").GetInt32();
        Assert.Equal($"/api/runs/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("queued", run.GetProperty("status").GetString());
        Assert.Equal(30, run.GetProperty("totalSteps").GetInt32());
        Assert.Equal(224, run.GetProperty("config").GetProperty("imageSize").GetInt32());

        using var db = fixture.Db();
        var stored = db.Runs.AsNoTracking().Single(r => r.Id == id);
        Assert.Equal(new AlgorithmConfig { K = 5, Steps = 30, Stage1Steps = 10, EvalEvery = 10, Contrast = ContrastMode.SupCon, Seed = 4 },
            AlgorithmConfig.FromJson(stored.ConfigJson));
        Assert.Equal(new AlgorithmConfig().ToJson().Count(c => c == ','), stored.ConfigJson.Count(c => c == ','));
        Assert.Equal(("raabin", 4, "sada", RunStatus.Queued), (stored.HoldoutCenter, stored.Seed, stored.Algorithm, stored.Status));
    }

    [Fact]
    public async Task Tsne_of_an_unknown_run_is_a_404_and_of_a_run_without_evaluations_a_409()
    {
        using var client = fixture.Client();
        await Problem(await client.GetAsync("/api/runs/9999/tsne"), HttpStatusCode.NotFound);
        await Problem(await client.PostAsync("/api/runs/9999/tsne", null), HttpStatusCode.NotFound);

        var created = await Json(await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "zheng" }));
        int id = created.GetProperty("id").GetInt32();
        Assert.Equal(0, (await Json(await client.GetAsync($"/api/runs/{id}/tsne"))).GetArrayLength());
        var conflict = await Problem(await client.PostAsync($"/api/runs/{id}/tsne", null), HttpStatusCode.Conflict);
        Assert.Contains("no evaluation", conflict.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_unknown_dataset_is_a_404_problem_naming_it()
    {
        using var client = fixture.Client();
        var json = await Problem(await client.PostAsJsonAsync("/api/runs", new { dataset = "lisc-2021", heldOut = "a" }), HttpStatusCode.NotFound);
        Assert.Contains("'lisc-2021'", json.GetProperty("detail").GetString());
        Assert.Contains("cells", json.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_held_out_center_outside_the_dataset_is_a_400_naming_the_centers()
    {
        using var client = fixture.Client();
        var json = await Problem(await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "ldwbc" }), HttpStatusCode.BadRequest);
        Assert.Equal("'ldwbc' is not a center of dataset 'cells'; its centers are acevedo, raabin, zheng",
            json.GetProperty("errors").GetProperty("heldOut")[0].GetString());
    }

    [Fact]
    public async Task Invalid_config_values_are_a_validation_problem_naming_each_field()
    {
        using var client = fixture.Client();
        int before = RunCount();
        var json = await Problem(await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "zheng", config = new { k = 0, learningRate = 2.0 } }),
            HttpStatusCode.BadRequest);
        var errors = json.GetProperty("errors");
        Assert.Contains("K must be between 1 and 16", errors.GetProperty("config.K")[0].GetString());
        Assert.Contains("LearningRate", errors.GetProperty("config.LearningRate")[0].GetString());
        Assert.Contains("config.K", json.GetProperty("detail").GetString());

        json = await Problem(await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "zheng", config = new { k = "three", lr = 1 } }),
            HttpStatusCode.BadRequest);
        Assert.Equal("expects an integer, not \"three\"", json.GetProperty("errors").GetProperty("config.K")[0].GetString());
        Assert.Contains("unknown config field 'lr'", json.GetProperty("errors").GetProperty("config.lr")[0].GetString());
        Assert.Equal(before, RunCount());
    }

    [Fact]
    public async Task An_unknown_run_is_a_404_problem()
    {
        using var client = fixture.Client();
        await Problem(await client.GetAsync("/api/runs/987654"), HttpStatusCode.NotFound);
        await Problem(await client.PostAsync("/api/runs/987654/cancel", null), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_run_posted_without_init_starts_from_ImageNet_and_init_scratch_switches_it()
    {
        using var client = fixture.Client();
        async Task<AlgorithmConfig> Posted(object config)
        {
            var created = await Json(await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "acevedo", config }));
            int id = created.GetProperty("id").GetInt32();
            using var db = fixture.Db();
            return AlgorithmConfig.FromJson(db.Runs.Single(r => r.Id == id).ConfigJson);
        }

        var imagenet = await Posted(new { algorithm = "erm" });
        Assert.Equal(("resnet18-imagenet", BackboneInit.ImageNet, true), (imagenet.Backbone, imagenet.Init, imagenet.FreezesBatchNorm));
        var scratch = await Posted(new { algorithm = "erm", init = "scratch" });
        Assert.Equal((BackboneInit.Scratch, BatchNormPolicy.Auto, false), (scratch.Init, scratch.FreezeBatchNorm, scratch.FreezesBatchNorm));

        var refused = await Problem(await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "acevedo", config = new { backbone = "resnet50" } }),
            HttpStatusCode.BadRequest);
        Assert.Contains("resnet50 has no built-in ImageNet weights", refused.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Cancel_cancels_a_queued_run_and_refuses_a_finished_one_with_409()
    {
        using var client = fixture.Client();
        var created = await Json(await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "acevedo", config = new { algorithm = "erm" } }));
        int id = created.GetProperty("id").GetInt32();

        var response = await client.PostAsync($"/api/runs/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("cancelled", (await Json(response)).GetProperty("status").GetString());

        var json = await Problem(await client.PostAsync($"/api/runs/{id}/cancel", null), HttpStatusCode.Conflict);
        Assert.Contains("already finished (cancelled)", json.GetProperty("detail").GetString());

        using (var db = fixture.Db())
        {
            var run = db.Runs.Single(r => r.Id == id);
            run.Status = RunStatus.Completed;
            db.SaveChanges();
        }
        json = await Problem(await client.PostAsync($"/api/runs/{id}/cancel", null), HttpStatusCode.Conflict);
        Assert.Contains("already finished (completed)", json.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_run_comes_with_every_evaluation_row_and_listings_filter_newest_first()
    {
        using var client = fixture.Client();
        var first = (await Json(await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "zheng", seed = 11 }))).GetProperty("id").GetInt32();
        var second = (await Json(await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "zheng", seed = 12 }))).GetProperty("id").GetInt32();
        using (var db = fixture.Db())
        {
            foreach (int step in new[] { 10, 20 })
                db.RunMetrics.Add(new RunMetric
                {
                    RunId = first, Step = step, Stage = 1, LossesJson = step == 10 ? """{"total": 0.1}""" : """{"total": 0.05}""", HeldOutAccuracy = 0.5, HeldOutF1Macro = 0.4,
                    ValidationAccuracy = 0.6, ValidationJson = """{"acevedo": 0.6}""", ConfusionJson = """{"classes": ["a"], "counts": [[1]]}"""
                });
            db.SaveChanges();
        }
        var run = await Json(await client.GetAsync($"/api/runs/{first}"));
        var metrics = run.GetProperty("metrics");
        Assert.Equal([10, 20], metrics.EnumerateArray().Select(m => m.GetProperty("step").GetInt32()));
        Assert.Equal(0.05, metrics[1].GetProperty("losses").GetProperty("total").GetDouble(), 12);
        Assert.Equal(0.6, metrics[0].GetProperty("validation").GetProperty("acevedo").GetDouble());
        Assert.Equal(1, metrics[0].GetProperty("confusion").GetProperty("counts")[0][0].GetInt32());

        var list = (await Json(await client.GetAsync("/api/runs?status=queued&dataset=cells"))).GetProperty("items");
        var ids = list.EnumerateArray().Select(r => r.GetProperty("id").GetInt32()).ToList();
        Assert.True(ids.IndexOf(second) < ids.IndexOf(first));
        Assert.All(list.EnumerateArray(), r => Assert.Equal("queued", r.GetProperty("status").GetString()));

        await Problem(await client.GetAsync("/api/runs?status=paused"), HttpStatusCode.BadRequest);
        await Problem(await client.GetAsync("/api/runs?dataset=nope"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Datasets_list_and_show_centers_class_counts_and_the_stain_fingerprint()
    {
        using var client = fixture.Client();
        var list = await Json(await client.GetAsync("/api/datasets"));
        var cells = list.EnumerateArray().Single(d => d.GetProperty("name").GetString() == "cells");
        Assert.Equal(3, cells.GetProperty("centerCount").GetInt32());
        Assert.Equal(47, cells.GetProperty("imageCount").GetInt32());
        Assert.Equal(4, cells.GetProperty("classes").GetArrayLength());
        Assert.Equal(["acevedo", "raabin", "zheng"], cells.GetProperty("centers").EnumerateArray().Select(c => c.GetString()));

        var dataset = await Json(await client.GetAsync("/api/datasets/cells"));
        var acevedo = dataset.GetProperty("centers")[0];
        Assert.Equal("acevedo", acevedo.GetProperty("name").GetString());
        Assert.Equal(20, acevedo.GetProperty("classCounts").GetProperty("neutrophil").GetInt32());
        Assert.Equal(0.65, acevedo.GetProperty("stainFingerprint").GetProperty("stains")[0][0].GetDouble());
        Assert.Equal(JsonValueKind.Null, dataset.GetProperty("centers")[1].GetProperty("stainFingerprint").ValueKind);
        // By id too.
        Assert.Equal("cells", (await Json(await client.GetAsync($"/api/datasets/{dataset.GetProperty("id").GetInt32()}"))).GetProperty("name").GetString());

        var json = await Problem(await client.GetAsync("/api/datasets/nope"), HttpStatusCode.NotFound);
        Assert.Contains("'nope'", json.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_400_problem()
    {
        using var client = fixture.Client();
        var response = await client.PostAsync("/api/runs", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        await Problem(response, HttpStatusCode.BadRequest);
        await Problem(await client.GetAsync("/api/no-such-thing"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Hand_picked_runs_export_their_table_as_csv_and_latex_and_bad_ids_are_named()
    {
        int[] ids;
        using (var db = fixture.Db())
        {
            var dataset = db.Datasets.Single(d => d.Name == "cells").Id;
            Run Completed(string algorithm, int seed, double f1Micro, double f1Macro) => new()
            {
                DatasetId = dataset, HoldoutCenter = "acevedo", Algorithm = algorithm, Seed = seed, Status = RunStatus.Completed,
                ConfigJson = new AlgorithmConfig { Algorithm = algorithm, Seed = seed }.ToJson(),
                TotalSteps = 10, CreatedAt = DateTime.UtcNow,
                Metrics = [new RunMetric { Step = 10, Stage = 2, ValidationAccuracy = 0.9, HeldOutAccuracy = f1Micro, HeldOutF1Macro = f1Macro, CreatedAt = DateTime.UtcNow }],
            };
            var runs = new[] { Completed("sada", 0, 0.80, 0.60), Completed("sada", 1, 0.90, 0.70), Completed("erm", 0, 0.70, 0.50) };
            db.Runs.AddRange(runs);
            db.SaveChanges();
            ids = runs.Select(r => r.Id).ToArray();
        }
        using var client = fixture.Client(Sada.Workbench.Accounts.WorkbenchRoles.Reviewer);

        var csv = await client.GetAsync($"/api/runs/table.csv?ids={string.Join(',', ids)}");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n');
        // One row per run, named by its id, where it started and its seed: the two SADA seeds are not averaged.
        Assert.Single(lines, l => l.StartsWith($"#{ids[0]} sada init=imagenet seed 0,acevedo,f1_micro,80.00,,1,1,false", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith($"#{ids[1]} sada init=imagenet seed 1,acevedo,f1_micro,90.00,,1,1,true", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith($"#{ids[2]} erm init=imagenet seed 0,acevedo,f1_macro,50.00,,1,1,false", StringComparison.Ordinal));
        var tex = await client.GetStringAsync($"/api/runs/table.tex?ids={ids[0]},{ids[1]}");
        Assert.Contains("\\textbf{90.0}", tex);

        var bad = await client.GetAsync("/api/runs/table.csv?ids=3,x");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await Json(bad)).GetProperty("errors").TryGetProperty("ids", out _));
        var unknown = await client.GetAsync($"/api/runs/table.csv?ids={ids[0]},987654");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("#987654", (await Json(unknown)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Cancelling_a_queued_run_is_published_to_everyone_following_it_not_only_to_the_canceller()
    {
        using var client = fixture.Client(Sada.Workbench.Accounts.WorkbenchRoles.Researcher);
        int id = (await Json(await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "zheng" }))).GetProperty("id").GetInt32();
        await using var follower = await Runs.RunHubClient.ConnectAsync(fixture.Factory);
        var (feed, finished) = await follower.SubscribeAsync(id);
        Assert.Equal("Queued", feed.Status?.Status);

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/runs/{id}/cancel", null)).StatusCode);

        var status = await finished.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("Cancelled", status.Status);
        Assert.Equal(id, status.RunId);
    }
}
