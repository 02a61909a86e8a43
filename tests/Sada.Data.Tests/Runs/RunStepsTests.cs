using Sada.Data.Entities;
using Sada.Data.Runs;

namespace Sada.Data.Tests.Runs;

/// <summary>
/// One convention for "step N / T" wherever a run is shown: the stored step is the last one reached, numbered from 0, so
/// a completed 60-step run ends at 59; it shows 60 / 60 (every step done) in the runs list as on its page.
/// </summary>
public sealed class RunStepsTests : IDisposable
{
    readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    int Store(RunStatus status, int step)
    {
        using var db = _db.Open();
        var dataset = db.Datasets.FirstOrDefault() ?? db.Datasets.Add(new Dataset { Name = "d", Centers = [new Center { Name = "a" }] }).Entity;
        var run = new Run
        {
            Dataset = dataset, HoldoutCenter = "a", Algorithm = "erm", ConfigJson = "{}", Seed = 0, Status = status, Step = step, TotalSteps = 60,
            CreatedAt = DateTime.UtcNow,
        };
        db.Runs.Add(run);
        db.SaveChanges();
        return run.Id;
    }

    [Theory]
    [InlineData(RunStatus.Completed, 59, 60)]
    [InlineData(RunStatus.Running, 30, 30)]
    [InlineData(RunStatus.Queued, 0, 0)]
    [InlineData(RunStatus.Cancelled, 12, 12)]
    [InlineData(RunStatus.Failed, 40, 40)]
    public async Task The_runs_list_and_a_runs_details_show_the_step_as_the_run_page_does(RunStatus status, int stored, int shown)
    {
        int id = Store(status, stored);
        var catalog = new RunCatalog(new DbFactory(_db), new RunQueue(new DbFactory(_db), TimeProvider.System, new RunQueueOptions(TimeSpan.FromMinutes(5))));

        var listed = (await catalog.ListAsync(new RunFilter())).Single(r => r.Id == id);
        var details = (await catalog.GetAsync(id))!.Run;

        Assert.Equal((shown, 60), (listed.Step, listed.TotalSteps));
        Assert.Equal((shown, 60), (details.Step, details.TotalSteps));
        Assert.Equal(shown, RunSteps.Shown(status, stored, 60));
        Assert.Equal(shown, RunSteps.Shown(status.ToString(), stored, 60));
    }
}
