using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sada.Core.Algorithms;
using Sada.Data;
using Sada.Data.Entities;
using Sada.Workbench.Datasets;

namespace Sada.Workbench.Tests.Review;

/// <summary>
/// A workbench whose worker trained one tiny real run on the tiny synthetic set (2 centers x 12 cells at 32 px; ERM,
/// ResNet-18, 6 steps from scratch, so it still gets cells wrong): its metrics, best.weights and held-out images are stored
/// as a real run's are.
/// </summary>
public sealed class TrainedRunFixture : IAsyncLifetime
{
    public WorkbenchFactory Factory { get; } = WorkbenchFactory.Synthetic(
        Path.Combine(Path.GetTempPath(), "sada-web-review-" + Guid.NewGuid().ToString("N")),
        new()
        {
            ["Sada:Worker:PollInterval"] = "00:00:00.100",
            ["Sada:Worker:HeartbeatInterval"] = "00:00:00.500",
            ["Sada:Worker:Embedding:Enabled"] = "false",
        },
        keepData: false);

    public int RunId { get; private set; }

    public SadaDbContext Db() => Factory.Services.GetRequiredService<IDbContextFactory<SadaDbContext>>().CreateDbContext();

    public async Task InitializeAsync()
    {
        await Factory.Services.GetRequiredService<SyntheticDatasetSeeder>().Completion;
        var config = new AlgorithmConfig { Algorithm = "erm", Backbone = "resnet18", Init = BackboneInit.Scratch, ImageSize = 32, BatchPerCenter = 4, Steps = 6, Stage1Steps = 0, EvalEvery = 2 };
        await using (var db = Db())
        {
            var dataset = await db.Datasets.Include(d => d.Centers).SingleAsync();
            var run = new Run
            {
                DatasetId = dataset.Id, HoldoutCenter = dataset.Centers.OrderBy(c => c.Name).Last().Name, Algorithm = config.Algorithm,
                ConfigJson = config.ToJson(), Seed = 5, Status = RunStatus.Queued, CreatedAt = DateTime.UtcNow,
            };
            db.Runs.Add(run);
            await db.SaveChangesAsync();
            RunId = run.Id;
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            await using var db = Db();
            var run = await db.Runs.AsNoTracking().SingleAsync(r => r.Id == RunId);
            if (run.Status == RunStatus.Completed) return;
            if (run.Status is RunStatus.Failed or RunStatus.Cancelled) throw new InvalidOperationException($"The fixture's run ended {run.Status}: {run.Error}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The fixture's run did not finish in 3 minutes.");
            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}
