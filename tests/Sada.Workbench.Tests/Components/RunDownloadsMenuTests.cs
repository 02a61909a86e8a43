using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Sada.Core.Configuration;
using Sada.Data.Entities;
using Sada.Workbench.Accounts;
using Sada.Workbench.Components.Runs;
using Sada.Workbench.Runs;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Components;

/// <summary>The run page's Downloads menu on the real services of a workbench without trainer (<see cref="ApiFixture"/>).</summary>
public class RunDownloadsMenuTests : IClassFixture<ApiFixture>, IAsyncLifetime
{
    readonly BunitContext _ctx = PageContext.Create();
    readonly ApiFixture _api;

    public RunDownloadsMenuTests(ApiFixture api)
    {
        _api = api;
        _ctx.Services.AddSingleton(api.Factory.Services.GetRequiredService<RunDownloads>());
        _ctx.SignInAs(WorkbenchRoles.Reviewer);
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    int StoreQueuedRun()
    {
        using var db = _api.Db();
        var run = new Run
        {
            DatasetId = db.Datasets.Single(d => d.Name == "cells").Id, HoldoutCenter = "zheng", Algorithm = "erm", ConfigJson = "{}", Seed = 0,
            Status = RunStatus.Queued, TotalSteps = 100, CreatedAt = DateTime.UtcNow,
        };
        db.Runs.Add(run);
        db.SaveChanges();
        return run.Id;
    }

    void AddEvaluation(int runId)
    {
        using var db = _api.Db();
        db.RunMetrics.Add(new RunMetric
        {
            RunId = runId, Step = 10, Stage = 2, LossesJson = """{"ce": 0.5}""", ValidationAccuracy = 0.5, HeldOutAccuracy = 0.5,
            ConfusionJson = """{"classes": ["monocyte", "neutrophil"], "counts": [[3, 1], [0, 4]]}""", CreatedAt = DateTime.UtcNow,
        });
        db.SaveChanges();
    }

    [Fact]
    public void A_queued_run_lists_its_weights_disabled_with_the_reason_and_its_config_enabled()
    {
        var id = StoreQueuedRun();
        var popovers = _ctx.Render<MudPopoverProvider>();
        var menu = _ctx.Render<RunDownloadsMenu>(ps => ps.Add(p => p.RunId, id).Add(p => p.Status, "Queued"));

        var items = menu.Instance.Items.ToDictionary(i => i.Key);
        Assert.Equal(["weights-best", "onnx-best", "config", "metrics"], menu.Instance.Items.Select(i => i.Key));
        Assert.Equal($"run {id} has no best weights yet", items["weights-best"].Problem);
        Assert.Equal($"run {id} has no best weights yet", items["onnx-best"].Problem);
        Assert.Equal($"run {id} has no evaluation yet", items["metrics"].Problem);
        Assert.Null(items["config"].Problem);

        menu.Find("button").Click();
        var onnx = popovers.WaitForElement("[data-testid=download-onnx-best]");
        Assert.Equal("true", onnx.GetAttribute("aria-disabled"));
        Assert.Null(onnx.GetAttribute("href"));
        Assert.Contains($"run {id} has no best weights yet", onnx.TextContent, StringComparison.Ordinal);
        var config = popovers.Find("[data-testid=download-config]");
        Assert.Equal($"api/runs/{id}/config.json", config.GetAttribute("href"));
        Assert.Equal($"run-{id}-config.json", config.GetAttribute("download"));
    }

    [Fact]
    public void Weights_appear_once_written_and_the_last_checkpoint_too()
    {
        var id = StoreQueuedRun();
        var menu = _ctx.Render<RunDownloadsMenu>(ps => ps.Add(p => p.RunId, id).Add(p => p.Status, "Running"));
        Assert.NotNull(menu.Instance.Items.Single(i => i.Key == "onnx-best").Problem);

        var directory = Path.Combine(_api.Factory.Services.GetRequiredService<SadaOptions>().ResolveDataDirectory(), "runs", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, "best.weights"), [0]);
        File.WriteAllBytes(Path.Combine(directory, "last.ckpt"), [0]);
        AddEvaluation(id);
        menu.Render(ps => ps.Add(p => p.Evaluations, 1));

        var items = menu.Instance.Items.ToDictionary(i => i.Key);
        Assert.Equal(["weights-best", "onnx-best", "weights-last", "onnx-last", "config", "metrics"], menu.Instance.Items.Select(i => i.Key));
        Assert.All(menu.Instance.Items, i => Assert.Null(i.Problem));
        Assert.Equal($"api/runs/{id}/model.onnx", items["onnx-best"].Href);
        Assert.Equal($"api/runs/{id}/weights.safetensors?which=last", items["weights-last"].Href);
        Assert.Equal($"run-{id}-last.onnx", items["onnx-last"].FileName);
    }
}
