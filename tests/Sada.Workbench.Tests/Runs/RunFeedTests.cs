using Sada.Data.Runs.Events;
using Sada.Workbench.Runs;

namespace Sada.Workbench.Tests.Runs;

/// <summary>The late joiner's merge: history first, live after, nothing twice, no regression of a final status.</summary>
public class RunFeedTests
{
    static MetricMessage Metric(int step) => new(1, step, 2, new Dictionary<string, double> { ["total"] = 1.0, ["ce"] = 1.0 }, 0.5, 0.5, new Dictionary<string, double?>(),
        new ConfusionMessage([], []), 0.5, new Dictionary<string, double>(), 10, step);

    static RunStatusMessage Status(string status) => new(1, null, status, 0, 10, null, "cpu", null, null, null);

    static LogMessage Log(long id) => new(1, id, DateTime.UnixEpoch, "info", $"line {id}");

    [Fact]
    public void Live_events_before_the_history_wait_for_it_and_duplicates_are_dropped()
    {
        var feed = new RunFeed(1);
        // Published after the join, delivered before the subscribe call returned: step 4 is also in the history.
        feed.OnEvaluation(Metric(4));
        feed.OnLog(Log(3));
        feed.OnEvaluation(Metric(6));
        Assert.Empty(feed.Delivered);

        feed.ApplyHistory(new RunHistoryMessage(Status("Running"), [Metric(0), Metric(2), Metric(4)], [Log(1), Log(2), Log(3)], [], []));
        feed.OnEvaluation(Metric(6));
        feed.OnEvaluation(Metric(8));
        feed.OnEvaluation(Metric(1 + 1));   // a late duplicate
        feed.OnEvaluation(Metric(99) with { RunId = 2 });   // another run's

        Assert.Equal([0, 2, 4, 6, 8], feed.Metrics.Select(m => m.Step));
        Assert.Equal([1L, 2, 3], feed.Logs.Select(l => l.Id));
        Assert.Equal([0, 2, 4, 6, 8], feed.Delivered.OfType<MetricMessage>().Select(m => m.Step));
        Assert.IsType<RunStatusMessage>(feed.Delivered[0]);
    }

    static StepLossesMessage Losses(int step, int runId = 1) => new(runId, step, 2, new Dictionary<string, double> { ["total"] = step });

    [Fact]
    public void Step_level_losses_merge_like_metrics_by_step_history_first_each_once()
    {
        var feed = new RunFeed(1);
        feed.OnStepLosses(Losses(20));
        Assert.Empty(feed.StepLosses);

        feed.ApplyHistory(new RunHistoryMessage(Status("Running"), [], [], [], [Losses(0), Losses(10), Losses(20)]));
        feed.OnStepLosses(Losses(30));
        feed.OnStepLosses(Losses(10));
        feed.OnStepLosses(Losses(40, runId: 2));

        Assert.Equal([0, 10, 20, 30], feed.StepLosses.Select(l => l.Step));
        Assert.Equal([0, 10, 20, 30], feed.Delivered.OfType<StepLossesMessage>().Select(l => l.Step));
    }

    [Fact]
    public void A_finished_status_from_the_history_is_not_undone_by_an_older_live_one()
    {
        var feed = new RunFeed(1);
        feed.OnStatus(Status("Running"));
        feed.ApplyHistory(new RunHistoryMessage(Status("Completed"), [], [], [], []));
        Assert.Equal("Completed", feed.Status!.Status);
    }
}
