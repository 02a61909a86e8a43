using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Sada.Data.Entities;
using Sada.Workbench.Components.Shared;
using Sada.Workbench.Runs;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Components;

/// <summary>Compare's overlay: any stored metric of the compared runs, from <see cref="ComparePages.SeriesAsync"/>.</summary>
public class CompareCurvesTests(ApiFixture api) : IClassFixture<ApiFixture>, IAsyncLifetime
{
    readonly BunitContext _ctx = PageContext.Create();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    int StoreRun(string algorithm, bool stepLosses)
    {
        using var db = api.Db();
        var run = new Run
        {
            DatasetId = db.Datasets.Single(d => d.Name == "cells").Id, HoldoutCenter = "zheng", Algorithm = algorithm, ConfigJson = "{}", Seed = 1,
            Status = RunStatus.Completed, TotalSteps = 20, CreatedAt = DateTime.UtcNow,
            Metrics = [.. new[] { 0, 10 }.Select(s => new RunMetric
            {
                Step = s, Stage = 2, LossesJson = algorithm == "sada" ? """{"total": 1.5, "la": 0.5}""" : """{"total": 1.0, "ce": 1.0}""",
                HeldOutAccuracy = 0.5 + s / 100.0, HeldOutF1Macro = 0.4, ValidationAccuracy = 0.6, CreatedAt = DateTime.UtcNow,
            })],
        };
        db.Runs.Add(run);
        db.SaveChanges();
        if (stepLosses)
        {
            db.RunStepLosses.AddRange(Enumerable.Range(0, 4).Select(i => new RunStepLosses { RunId = run.Id, Step = 5 * i, Stage = 2, LossesJson = """{"total":2,"la":0.25}""" }));
            db.SaveChanges();
        }
        return run.Id;
    }

    [Fact]
    public async Task Any_stored_metric_can_be_overlaid_losses_step_level_when_stored()
    {
        int sada = StoreRun("sada", stepLosses: true), erm = StoreRun("erm", stepLosses: false);
        var series = await api.Factory.Services.GetRequiredService<ComparePages>().SeriesAsync([sada, erm]);

        Assert.Equal(["held-out accuracy", "held-out F1-macro", "validation accuracy", "loss: total", "loss: la", "loss: ce"], CompareMetrics.Present(series));
        // The step-level losses of the run that has them, the evaluations' of the one that has none.
        Assert.Equal([0, 5, 10, 15], series[0].Metrics["loss: total"].Select(p => p.Step));
        Assert.Equal([0, 10], series[1].Metrics["loss: total"].Select(p => p.Step));

        var chart = _ctx.Render<CompareCurves>(ps => ps.Add(c => c.Series, series));
        MetricCurves Curves() => chart.FindComponent<MetricCurves>().Instance;
        Assert.Equal("held-out accuracy", chart.Instance.Metric);
        Assert.Equal("Held-out accuracy", Curves().Title);
        Assert.Equal([0.5, 0.6], Curves().Curves[0].Points.Select(p => p.Value));

        await chart.InvokeAsync(() => chart.FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync("loss: la"));
        Assert.Equal("Loss: la", Curves().Title);
        // Only the run that logged "la".
        var curve = Assert.Single(Curves().Curves);
        Assert.Equal($"#{sada} sada zheng s1", curve.Name);
        Assert.Equal([0.25, 0.25, 0.25, 0.25], curve.Points.Select(p => p.Value));
    }
}
