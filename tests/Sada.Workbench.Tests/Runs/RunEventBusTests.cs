using Microsoft.Extensions.Logging.Abstractions;
using Sada.Data.Runs.Events;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Tests.Runs;

public class RunEventBusTests
{
    static RunStatusMessage Status(string status) => new(1, null, status, 0, 10, null, "cpu", null, null, null);

    static LogMessage Log(long id) => new(1, id, DateTime.UnixEpoch, "info", $"line {id}");

    [Fact]
    public void A_page_that_throws_does_not_stop_the_others_or_reach_the_publisher()
    {
        var bus = new RunEventBus(NullLogger<RunEventBus>.Instance);
        var broken = new RunFeed(1);
        var healthy = new RunFeed(1);
        foreach (var feed in new[] { broken, healthy }) feed.ApplyHistory(new RunHistoryMessage(Status("Running"), [], [], [], []));
        broken.Received += _ => throw new ObjectDisposedException("circuit");
        using var a = bus.Subscribe(broken);
        using var b = bus.Subscribe(healthy);

        bus.Publish(1, f => f.OnLog(Log(7)));   // must not throw

        Assert.Equal([7L], healthy.Logs.Select(l => l.Id));
    }

    [Fact]
    public void A_disposed_subscription_gets_nothing_more()
    {
        var bus = new RunEventBus(NullLogger<RunEventBus>.Instance);
        var feed = new RunFeed(1);
        feed.ApplyHistory(new RunHistoryMessage(Status("Running"), [], [], [], []));
        bus.Subscribe(feed).Dispose();
        bus.Publish(1, f => f.OnLog(Log(1)));
        Assert.Empty(feed.Logs);
    }
}
