using System.Net;
using Sada.Data.Entities;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Components;

/// <summary>The pages served by the whole workbench (prerendered HTML) for stored records.</summary>
public class PageSmokeTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Run_page_answers_200_with_its_heading_status_and_the_runs_list_links_to_it()
    {
        int id;
        using (var db = api.Db())
        {
            var run = new Run
            {
                DatasetId = db.Datasets.Single(d => d.Name == "cells").Id, HoldoutCenter = "raabin", Algorithm = "erm", ConfigJson = "{}",
                Status = RunStatus.Failed, Error = "held-out images are missing", TotalSteps = 50, CreatedAt = DateTime.UtcNow,
            };
            db.Runs.Add(run);
            db.SaveChanges();
            id = run.Id;
        }
        using var client = api.Client();

        var response = await client.GetAsync($"/runs/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"Run #{id}", html);
        Assert.Contains("Failed", html);
        Assert.Contains("held-out images are missing", html);
        Assert.Contains($"href=\"runs/{id}\"", await client.GetStringAsync("/runs"));
    }
}
