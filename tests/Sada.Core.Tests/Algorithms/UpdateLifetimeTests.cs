using Sada.Core.Algorithms;
using Sada.Core.Runtime;
using TorchSharp;
using static Sada.Core.Tests.Algorithms.AlgorithmTests;

namespace Sada.Core.Tests.Algorithms;

/// <summary>An update must leave no tensor behind: a long run whose live tensors climb step after step leaks memory.</summary>
public class UpdateLifetimeTests
{
    public UpdateLifetimeTests() => Assert.True(TorchRuntime.Initialize("cpu", 1).Loaded);

    [Theory]
    [InlineData("sada", 0)]
    [InlineData("sada", 2)]
    [InlineData("erm", 0)]
    [InlineData("coral", 0)]
    [InlineData("mixup", 0)]
    public void Update_leaves_no_live_tensors(string name, int step)
    {
        using var algorithm = Create(Tiny(name));
        var batch = TinyBatch.Create();
        // The first update creates the optimiser's state; count from the second.
        algorithm.Update(batch, step);
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        algorithm.Update(batch, step);
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Theory]
    [InlineData("sada")]
    [InlineData("erm")]
    [InlineData("coral")]
    [InlineData("mixup")]
    public void Many_updates_keep_the_generator_alive_and_reproducible(string name)
    {
        // Mixup once handed its generator to a distribution that disposed it: the next step crashed natively.
        using var a = Create(Tiny(name));
        using var b = Create(Tiny(name));
        var batch = TinyBatch.Create();
        var first = Enumerable.Range(0, 3).Select(s => a.Update(batch, s)["total"]).ToList();
        var second = Enumerable.Range(0, 3).Select(s => b.Update(batch, s)["total"]).ToList();
        Assert.Equal(first, second);
    }

    [Fact]
    public void Predict_and_features_leave_only_their_result()
    {
        using var algorithm = Create(Tiny("sada"));
        using var images = torch.rand(2, 3, 32, 32);
        algorithm.Predict(images).Dispose();
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        algorithm.Predict(images).Dispose();
        algorithm.Features(images).Dispose();
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
