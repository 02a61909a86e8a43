using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.DependencyInjection;
using Sada.Core.Training;
using Sada.Data.Entities;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;
using Sada.Workbench.Accounts;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Runs;

/// <summary>
/// A loss name no code knows ("wobble_penalty"), stored as the worker stores an evaluation, reaches every reader: the
/// hub's history, the API and `sada watch` (the page's chart: RunDetailPageTests; the results file: the Core trainer tests).
/// </summary>
public class NamedLossTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    static EvaluationRecord Evaluation(int step) => new(step, 2,
        new Dictionary<string, double> { ["total"] = 1.5, ["wobble_penalty"] = 0.25 },
        new HeldOutEvaluation(0.5, 0.4, new Dictionary<string, double?> { ["monocyte"] = 0.5 }, ["monocyte"], [[1]], 2),
        new Dictionary<string, double> { ["acevedo"] = 0.75 }, 0.75, 0.9, 100, 2);

    async Task<int> CompletedRunAsync()
    {
        var client = fixture.Client();
        var id = (await (await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "zheng", seed = 3 }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var store = fixture.Factory.Services.GetRequiredService<RunStore>();
        await store.AddEvaluationAsync(id, Evaluation(0));
        await store.AddEvaluationAsync(id, Evaluation(4));
        using var db = fixture.Db();
        db.Runs.Single(r => r.Id == id).Status = RunStatus.Completed;
        db.SaveChanges();
        return id;
    }

    [Fact]
    public async Task A_made_up_loss_name_reaches_the_hub_the_api_and_sada_watch()
    {
        int id = await CompletedRunAsync();

        await using (var hub = await RunHubClient.ConnectAsync(fixture.Factory))
        {
            var (feed, _) = await hub.SubscribeAsync(id);
            Assert.Equal([0.25, 0.25], feed.Metrics.Select(m => m.Losses["wobble_penalty"]));
        }

        var run = await fixture.Client().GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
        Assert.All(run.GetProperty("metrics").EnumerateArray(), m => Assert.Equal(0.25, m.GetProperty("losses").GetProperty("wobble_penalty").GetDouble()));

        var output = new StringWriter();
        var server = fixture.Factory.Server;
        int exit = await global::Sada.Cli.Commands.WatchCommand.WatchAsync(new Uri(server.BaseAddress, RunsHubContract.Path.TrimStart('/')), id, output, o =>
        {
            o.HttpMessageHandlerFactory = _ => server.CreateHandler();
            o.Transports = HttpTransportType.LongPolling;
            o.AccessTokenProvider = () => fixture.Factory.TokenAsync(WorkbenchRoles.Reviewer)!;
        }, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(0, exit);
        Assert.Contains("eval step 0 (stage 2): total 1.5000 wobble_penalty 0.2500; held-out acc 50.0 %", output.ToString());
        Assert.Contains("eval step 4 (stage 2): total 1.5000 wobble_penalty 0.2500;", output.ToString());
    }
}
