using System.Net;
using System.Text.Json;
using Sada.Data.Entities;

namespace Sada.Workbench.Tests.Api;

public class RunLossesApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Losses_are_the_logged_steps_in_order_by_the_algorithms_names_and_404_for_an_unknown_run()
    {
        int id;
        using (var db = fixture.Db())
        {
            var run = new Run
            {
                DatasetId = db.Datasets.Single(d => d.Name == "cells").Id, HoldoutCenter = "zheng", Algorithm = "sada", ConfigJson = "{}",
                Status = RunStatus.Running, TotalSteps = 100, CreatedAt = DateTime.UtcNow,
            };
            db.Runs.Add(run);
            db.SaveChanges();
            id = run.Id;
            db.RunStepLosses.AddRange(
                new RunStepLosses { RunId = id, Step = 10, Stage = 2, LossesJson = """{"total":0.5,"ce":0.5}""" },
                new RunStepLosses { RunId = id, Step = 0, Stage = 1, LossesJson = """{"total":2.25,"la":0.25,"wobble_penalty":1}""" });
            db.SaveChanges();
        }
        using var client = fixture.Client();

        var response = await client.GetAsync($"/api/runs/{id}/losses");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal([0, 10], json.EnumerateArray().Select(e => e.GetProperty("step").GetInt32()));
        Assert.Equal([1, 2], json.EnumerateArray().Select(e => e.GetProperty("stage").GetInt32()));
        Assert.Equal(["total", "la", "wobble_penalty"], json[0].GetProperty("losses").EnumerateObject().Select(p => p.Name));
        Assert.Equal(2.25, json[0].GetProperty("losses").GetProperty("total").GetDouble());

        var missing = await client.GetAsync("/api/runs/999999/losses");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no run #999999", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
