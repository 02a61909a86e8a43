using Sada.Core.Algorithms;
using Sada.Core.Models;
using Sada.Core.Runtime;
using Sada.Core.Tests.Algorithms;
using Sada.Core.Training;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Training;

public sealed class CheckpointTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "sada-checkpoint-tests-" + Guid.NewGuid().ToString("N"));

    public CheckpointTests() => TorchRuntime.Initialize("cpu", 1);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    // TorchSharp reads and writes a tensor's bytes in place, which a channels-last weight (or Adam's state shaped like it)
    // does not allow: before this, a run with ChannelsLast failed at its first checkpoint.
    [Fact]
    public void A_channels_last_run_is_saved_and_resumed_exactly_and_stays_channels_last()
    {
        var config = new AlgorithmConfig { Algorithm = "erm", Backbone = "resnet18", Init = BackboneInit.Scratch, ImageSize = 32, ChannelsLast = true };
        using var batch = new DisposableBatch(TinyBatch.Create());
        var path = Path.Combine(_dir, "last.ckpt");
        var weights = Path.Combine(_dir, "best.weights");

        var trained = AlgorithmRegistry.Create(config, TinyBatch.Classes, CPU);
        trained.Update(batch.Value, 0);
        Checkpoint.Save(path, trained, new TrainerState(0, 0, 0, []));
        Checkpoint.SaveWeights(weights, trained);
        var convWeights = trained.Network.modules().OfType<TorchSharp.Modules.Conv2d>().Select(c => c.weight!).ToList();
        Assert.All(convWeights, w => Assert.True(ChannelsLast.Is(w), "a weight was left contiguous after saving"));

        var resumed = AlgorithmRegistry.Create(config, TinyBatch.Classes, CPU);
        Checkpoint.Load(path, resumed);
        Assert.All(resumed.Network.modules().OfType<TorchSharp.Modules.Conv2d>(), c => Assert.True(ChannelsLast.Is(c.weight!)));
        var expected = trained.Network.state_dict();
        foreach (var (name, tensor) in resumed.Network.state_dict())
            Assert.True(tensor.eq(expected[name]).all().item<bool>(), $"{name} differs after loading");

        // The next step from the loaded state (weights and Adam's moments) is the next step of the original.
        var next = trained.Update(batch.Value, 1);
        var nextResumed = resumed.Update(batch.Value, 1);
        Assert.Equal(next["total"], nextResumed["total"], 6);
        foreach (var (name, tensor) in resumed.Network.state_dict())
            Assert.True(tensor.allclose(expected[name], rtol: 1e-5, atol: 1e-6), $"{name} differs after a step from the loaded state");

        // The weights file is plain NCHW: prediction loads it into a network built without the option.
        using var plain = Sada.Core.Models.Export.TrainedNetwork.Load(config with { ChannelsLast = false }, TinyBatch.Classes, weights, CPU);
        Assert.All(plain.modules().OfType<TorchSharp.Modules.Conv2d>(), c => Assert.True(c.weight!.is_contiguous()));
        trained.Dispose();
        resumed.Dispose();
    }

    sealed class DisposableBatch(MultiCenterBatch value) : IDisposable
    {
        public MultiCenterBatch Value { get; } = value;

        public void Dispose()
        {
            foreach (var c in Value.Centers)
            {
                c.Images.Dispose();
                c.Labels.Dispose();
            }
        }
    }
}
