using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Sada.Core.Algorithms;
using Sada.Data.Entities;
using Sada.Data.Studies;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Components;

/// <summary>The pages served by the whole workbench (prerendered HTML) for stored records.</summary>
public class PageSmokeTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Run_page_answers_200_with_its_heading_and_status_and_the_runs_list_answers()
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
        // The runs table loads its rows once interactive (server paging), so the prerendered list has only its frame.
        Assert.Contains("Search name, tags, notes, config", await client.GetStringAsync("/runs"));
    }

    [Theory]
    [InlineData(BackboneInit.ImageNet, BatchNormPolicy.Auto, "ImageNet", "frozen (auto)")]
    [InlineData(BackboneInit.Scratch, BatchNormPolicy.Auto, "from scratch", "trained (auto)")]
    [InlineData(BackboneInit.Scratch, BatchNormPolicy.Always, "from scratch", "frozen (always)")]
    public async Task Run_page_says_which_initialisation_and_BatchNorm_policy_the_run_used(BackboneInit init, BatchNormPolicy policy, string initText, string bnText)
    {
        int id;
        using (var db = api.Db())
        {
            var run = new Run
            {
                DatasetId = db.Datasets.Single(d => d.Name == "cells").Id, HoldoutCenter = "raabin", Algorithm = "sada",
                ConfigJson = new AlgorithmConfig { Init = init, FreezeBatchNorm = policy }.ToJson(),
                Status = RunStatus.Queued, TotalSteps = 50, CreatedAt = DateTime.UtcNow,
            };
            db.Runs.Add(run);
            db.SaveChanges();
            id = run.Id;
        }
        using var client = api.Client();

        var html = (await client.GetStringAsync($"/runs/{id}")).Replace("<!--!-->", "");

        Assert.Contains($"initialisation: <b data-testid=\"init\">{initText}</b>", html);
        Assert.Contains($"BatchNorm: <b data-testid=\"batchnorm\">{bnText}</b>", html);
    }

    [Fact]
    public async Task Compare_page_answers_200_with_the_study_table_and_its_export_links()
    {
        var studies = api.Factory.Services.GetRequiredService<StudyService>();
        var study = await studies.CreateAsync(new StudyRequest("page smoke study", "cells", [new StudyVariant("ERM", new AlgorithmConfig { Algorithm = "erm" })],
            ["zheng"], [0]));
        using (var db = api.Db())
        {
            var run = db.Runs.Single(r => r.StudyId == study.Id);
            run.Status = RunStatus.Completed;
            run.Metrics.Add(new RunMetric { Step = 10, Stage = 1, HeldOutAccuracy = 0.9, HeldOutF1Macro = 0.75, ValidationAccuracy = 0.8, CreatedAt = DateTime.UtcNow });
            db.SaveChanges();
        }
        using var client = api.Client();

        var response = await client.GetAsync($"/compare?study={study.Id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Compare</h4>", html.Replace("<!--!-->", ""));
        Assert.Contains("page smoke study", html);
        Assert.Contains("<b>90.0</b>", html);
        Assert.Contains("<b>75.0</b>", html);
        Assert.Contains($"/api/studies/{study.Id}/table.csv", html);
        Assert.Contains($"/api/studies/{study.Id}/table.tex", html);
    }
}
