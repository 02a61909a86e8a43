using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sada.Data;
using Sada.Data.Entities;
using Sada.Data.Runs;
using Sada.Data.Runs.Events;
using Sada.Tests.Shared;
using Sada.Workbench.Datasets;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Tests.Runs;

/// <summary>
/// Two processes' worth of workbench on one database and one Redis: what one publishes through <see cref="IRunEvents"/>
/// (as a <c>sada worker</c> does) reaches the hub clients and the in-process pages of the other, in order, none missing.
/// </summary>
public class RunEventsOverRedisTests
{
    static Dictionary<string, string> Settings(string prefix) => new()
    {
        ["Sada:Worker:Enabled"] = "false",
        ["Sada:Redis:Configuration"] = TestRedis.Configuration,
        ["Sada:Redis:ChannelPrefix"] = prefix,
    };

    [RedisFact]
    public async Task Events_published_in_one_instance_reach_hub_clients_and_pages_of_another_in_order()
    {
        var data = Path.Combine(Path.GetTempPath(), "sada-web-redis-" + Guid.NewGuid().ToString("N"));
        var prefix = "sada-test-" + Guid.NewGuid().ToString("N");
        try
        {
            await using var publisher = WorkbenchFactory.Synthetic(data, Settings(prefix), keepData: true);
            await publisher.Services.GetRequiredService<SyntheticDatasetSeeder>().Completion;
            int runId;
            await using (var db = await publisher.Services.GetRequiredService<IDbContextFactory<SadaDbContext>>().CreateDbContextAsync())
            {
                var dataset = await db.Datasets.Include(d => d.Centers).SingleAsync();
                var run = new Run { DatasetId = dataset.Id, HoldoutCenter = dataset.Centers[0].Name, Algorithm = "erm", ConfigJson = "{}", Status = RunStatus.Running };
                db.Runs.Add(run);
                await db.SaveChangesAsync();
                runId = run.Id;
            }
            await using var web = new WorkbenchFactory { DataDirectory = data, Settings = Settings(prefix), KeepData = true };
            await using var client = await RunHubClient.ConnectAsync(web);
            var (hubFeed, finished) = await client.SubscribeAsync(runId);
            var page = new RunFeed(runId);
            using var subscription = web.Services.GetRequiredService<RunEventBus>().Subscribe(page);
            page.ApplyHistory(RunHistoryMessage.From((await web.Services.GetRequiredService<RunStore>().GetHistoryAsync(runId))!));
            var pageFinished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            page.Received += m => { if (m is RunStatusMessage { IsFinished: true }) pageFinished.TrySetResult(); };
            // A page in the publishing process itself: its events come back to it through the same channel, once.
            var ownPage = new RunFeed(runId);
            using var ownSubscription = publisher.Services.GetRequiredService<RunEventBus>().Subscribe(ownPage);
            ownPage.ApplyHistory(RunHistoryMessage.From((await publisher.Services.GetRequiredService<RunStore>().GetHistoryAsync(runId))!));
            var ownFinished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ownPage.Received += m => { if (m is RunStatusMessage { IsFinished: true }) ownFinished.TrySetResult(); };

            var events = publisher.Services.GetRequiredService<IRunEvents>();
            var target = new RunRef(runId, null);
            for (long id = 1; id <= 40; id++) await events.LogAsync(target, new LogMessage(runId, id, DateTime.UtcNow, "info", $"line {id}"));
            await events.StatusChangedAsync(target, new RunStatusMessage(runId, null, "Completed", 6, 6, null, "cpu", null, null, null));

            Assert.Equal("Completed", (await finished.WaitAsync(TimeSpan.FromSeconds(30))).Status);
            await pageFinished.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await ownFinished.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var expected = Enumerable.Range(1, 40).Select(i => (long)i).ToList();
            Assert.Equal(expected, hubFeed.Delivered.OfType<LogMessage>().Select(l => l.Id));
            Assert.Equal(expected, page.Delivered.OfType<LogMessage>().Select(l => l.Id));
            Assert.Equal(expected, ownPage.Delivered.OfType<LogMessage>().Select(l => l.Id));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(data, true); } catch (IOException) { }
        }
    }
}
