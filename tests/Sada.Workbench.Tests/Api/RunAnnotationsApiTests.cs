using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sada.Data.Entities;
using Sada.Workbench.Accounts;

namespace Sada.Workbench.Tests.Api;

/// <summary>PATCH /api/runs/{id} (name, tags, notes) and the query of GET /api/runs (search, filters, sort, paging).</summary>
public class RunAnnotationsApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await Json(response);
    }

    int StoreRun(string algorithm, string heldOut, double? f1 = null, string config = "{}")
    {
        using var db = fixture.Db();
        var run = new Run
        {
            DatasetId = db.Datasets.Single(d => d.Name == "cells").Id, HoldoutCenter = heldOut, Algorithm = algorithm, ConfigJson = config,
            Status = f1 is null ? RunStatus.Queued : RunStatus.Completed, TotalSteps = 10, CreatedAt = DateTime.UtcNow, SelectedAccuracy = f1,
            SelectedF1Macro = f1 / 2, SelectedStep = f1 is null ? null : 5,
        };
        db.Runs.Add(run);
        db.SaveChanges();
        return run.Id;
    }

    static HttpRequestMessage Patch(int id, object body) => new(HttpMethod.Patch, $"/api/runs/{id}") { Content = JsonContent.Create(body) };

    [Fact]
    public async Task A_researcher_names_tags_and_notes_a_run_and_finds_it_by_tag_and_search()
    {
        int id = StoreRun("sada", "zheng", 0.8);
        using var client = fixture.Client(WorkbenchRoles.Researcher);
        var response = await client.SendAsync(Patch(id, new { name = "k=5 on zheng", tags = new[] { "Sweep-K", "paper" }, notes = "for table 2" }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var saved = await Json(response);
        Assert.Equal("k=5 on zheng", saved.GetProperty("name").GetString());
        Assert.Equal(["paper", "sweep-k"], saved.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        // Only notes: the name and tags stay.
        var notes = await Json(await client.SendAsync(Patch(id, new { notes = "kept" })));
        Assert.Equal(("k=5 on zheng", "kept", 2), (notes.GetProperty("name").GetString(), notes.GetProperty("notes").GetString(), notes.GetProperty("tags").GetArrayLength()));

        var byTag = await Json(await client.GetAsync("/api/runs?tag=sweep-k"));
        Assert.Equal(1, byTag.GetProperty("total").GetInt32());
        var item = byTag.GetProperty("items")[0];
        Assert.Equal((id, "k=5 on zheng"), (item.GetProperty("id").GetInt32(), item.GetProperty("name").GetString()));
        Assert.Equal(0.8, item.GetProperty("selectedAccuracy").GetDouble());
        var bySearch = await Json(await client.GetAsync("/api/runs?q=K%3D5%20ON"));
        Assert.Contains(id, bySearch.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt32()));
        var run = await Json(await client.GetAsync($"/api/runs/{id}"));
        Assert.Equal(id, run.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task Invalid_annotations_are_a_400_naming_each_field_an_unknown_run_a_404_and_a_reviewer_is_refused()
    {
        int id = StoreRun("erm", "raabin");
        using var client = fixture.Client(WorkbenchRoles.Researcher);
        var problem = await Problem(await client.SendAsync(Patch(id, new
        {
            name = new string('n', RunTextLimits.Name + 1),
            tags = new[] { "ok", "  ", "semi;colon", new string('t', RunTextLimits.Tag + 1) },
            notes = new string('x', RunTextLimits.Notes + 1),
        })), HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Equal(["name", "notes", "tags"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(3, errors.GetProperty("tags").GetArrayLength());
        var tooMany = await Problem(await client.SendAsync(Patch(id, new { tags = Enumerable.Range(0, RunTextLimits.TagsPerRun + 1).Select(i => $"t{i}") })),
            HttpStatusCode.BadRequest);
        Assert.Contains($"at most {RunTextLimits.TagsPerRun}", tooMany.GetProperty("errors").GetProperty("tags")[0].GetString(), StringComparison.Ordinal);
        await Problem(await client.SendAsync(Patch(987654, new { name = "x" })), HttpStatusCode.NotFound);

        using var reviewer = fixture.Client(WorkbenchRoles.Reviewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.SendAsync(Patch(id, new { name = "mine" }))).StatusCode);
        using (var db = fixture.Db())
            Assert.Null(db.Runs.Single(r => r.Id == id).Name);
    }

    [Fact]
    public async Task The_list_filters_by_algorithm_and_held_out_center_sorts_by_F1_and_pages()
    {
        int low = StoreRun("mixup", "acevedo", 0.4), high = StoreRun("mixup", "acevedo", 0.95), none = StoreRun("mixup", "acevedo");
        StoreRun("mixup", "raabin", 0.5);
        using var client = fixture.Client(WorkbenchRoles.Reviewer);
        var page = await Json(await client.GetAsync("/api/runs?algorithm=mixup&heldOut=acevedo&sort=-f1Micro&limit=2"));
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal([high, low], page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt32()));
        var next = await Json(await client.GetAsync("/api/runs?algorithm=mixup&heldOut=acevedo&sort=-f1Micro&limit=2&offset=2"));
        Assert.Equal([none], next.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt32()));
        var ascending = await Json(await client.GetAsync("/api/runs?algorithm=mixup&heldOut=acevedo&sort=f1Macro"));
        Assert.Equal([low, high, none], ascending.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetInt32()));
    }

    [Fact]
    public async Task A_bad_sort_or_status_is_a_400_naming_the_value_and_the_allowed_ones()
    {
        using var client = fixture.Client();
        var sort = await Problem(await client.GetAsync("/api/runs?sort=accuracy"), HttpStatusCode.BadRequest);
        var message = sort.GetProperty("errors").GetProperty("sort")[0].GetString()!;
        Assert.Contains("'accuracy'", message, StringComparison.Ordinal);
        Assert.Contains("f1Micro", message, StringComparison.Ordinal);
        var status = await Problem(await client.GetAsync("/api/runs?status=paused"), HttpStatusCode.BadRequest);
        var statusMessage = status.GetProperty("errors").GetProperty("status")[0].GetString()!;
        Assert.Contains("'paused'", statusMessage, StringComparison.Ordinal);
        Assert.Contains("completed", statusMessage, StringComparison.Ordinal);
        await Problem(await client.GetAsync("/api/runs?status=2"), HttpStatusCode.BadRequest);
        await Problem(await client.GetAsync("/api/runs?limit=0"), HttpStatusCode.BadRequest);
    }
}
