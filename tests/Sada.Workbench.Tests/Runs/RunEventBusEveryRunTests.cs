using Microsoft.Extensions.Logging.Abstractions;
using Sada.Data.Runs.Events;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Tests.Runs;

/// <summary>The runs table's subscription to every run's events (<see cref="RunEventBus.SubscribeAll"/>).</summary>
public class RunEventBusEveryRunTests
{
    static RunStatusMessage Status(int run, string status) => new(run, null, status, 0, 10, null, "cpu", null, null, null);

    [Fact]
    public void A_listener_of_every_run_gets_each_runs_events_until_disposed_and_one_that_throws_stops_no_one()
    {
        var bus = new RunEventBus(NullLogger<RunEventBus>.Instance);
        var seen = new List<(int, object)>();
        using var broken = bus.SubscribeAll((_, _) => throw new ObjectDisposedException("circuit"));
        var all = bus.SubscribeAll((run, message) => seen.Add((run, message)));
        var feed = new RunFeed(2);
        feed.ApplyHistory(new RunHistoryMessage(Status(2, "Queued"), [], [], [], []));
        using var one = bus.Subscribe(feed);

        bus.Deliver(1, Status(1, "Running"));
        bus.Deliver(2, Status(2, "Running"));
        Assert.Equal([1, 2], seen.Select(s => s.Item1));
        Assert.Equal("Running", feed.Status!.Status);

        all.Dispose();
        bus.Deliver(3, Status(3, "Queued"));
        Assert.Equal(2, seen.Count);
    }
}
