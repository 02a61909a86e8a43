using Sada.Core.Training;

namespace Sada.Core.Tests.Training;

public class BalancedBatchSamplerTests
{
    [Fact]
    public void Every_step_takes_b_cells_from_every_center_and_an_epoch_covers_each_cell_once()
    {
        var split = LeaveOneCenterOut.Split(LeaveOneCenterOutTests.Dataset(3, 10, 2), "center2", 0.2, 0);
        var sampler = new BalancedBatchSampler(split.Training, 4, seed: 1);
        // 16 training cells per center, 4 per step: steps 0-3 are one epoch.
        var seen = Enumerable.Range(0, 4).SelectMany(s => sampler.At(s)[0]).ToList();
        Assert.Equal(16, seen.Distinct().Count());
        var step = sampler.At(5);
        Assert.Equal(2, step.Length);
        Assert.All(step, b => Assert.Equal(4, b.Count));
        Assert.All(step[1], s => Assert.Equal(split.Training[1].Center, s.Center));
    }

    [Fact]
    public void A_step_is_a_pure_function_of_seed_and_step()
    {
        var split = LeaveOneCenterOut.Split(LeaveOneCenterOutTests.Dataset(2, 7, 2), "center1", 0.2, 0);
        var a = new BalancedBatchSampler(split.Training, 5, seed: 3);
        var b = new BalancedBatchSampler(split.Training, 5, seed: 3);
        for (int s = 0; s < 12; s++) a.At(s); // a walks forward; b jumps
        Assert.Equal(a.At(11)[0], b.At(11)[0]);
        Assert.NotEqual(a.At(11)[0], new BalancedBatchSampler(split.Training, 5, seed: 4).At(11)[0]);
    }

    [Fact]
    public void A_batch_larger_than_the_center_wraps_into_the_next_epoch()
    {
        var split = LeaveOneCenterOut.Split(LeaveOneCenterOutTests.Dataset(2, 2, 1), "center1", 0.2, 0);
        var sampler = new BalancedBatchSampler(split.Training, 5, seed: 0);
        var batch = sampler.At(0)[0];
        Assert.Equal(5, batch.Count);
        Assert.Equal(2, batch.Distinct().Count());
    }
}
