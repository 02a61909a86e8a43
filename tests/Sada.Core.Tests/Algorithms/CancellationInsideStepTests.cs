using Sada.Core.Algorithms;
using Sada.Core.Augmentation;
using Sada.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Algorithms;

/// <summary>A cancel that arrives during a step stops it before the weights change, instead of waiting for the step to end.</summary>
public class CancellationInsideStepTests
{
    public CancellationInsideStepTests() => Assert.True(TorchRuntime.Initialize("cpu", 1).Loaded);

    /// <summary>The stage-1 views, with the run cancelled while they are made (as a cancel arriving during the stain augmentation).</summary>
    sealed class CancelDuringViews(int k, CancellationTokenSource cancel) : IViewAugmenter
    {
        readonly RepeatedViews _views = new(k);
        public int Views => k;

        public (Tensor Views, Tensor Labels) Augment(Tensor images, Tensor labels, Generator? generator = null)
        {
            cancel.Cancel();
            return _views.Augment(images, labels, generator);
        }
    }

    /// <summary>The plain augmentation, with the run cancelled while it runs (before the forward and backward passes).</summary>
    sealed class CancelDuringPlain(CancellationTokenSource cancel) : IImageAugment
    {
        public Tensor Apply(Tensor images, Generator? generator = null)
        {
            cancel.Cancel();
            return ImageNetNormalization.Normalize(images);
        }
    }

    [Fact]
    public void A_cancel_during_the_stain_augmentation_stops_a_sada_step_before_its_forward_pass()
    {
        using var scope = NewDisposeScope();
        using var cancel = new CancellationTokenSource();
        var config = AlgorithmTests.Tiny("sada");
        manual_seed(0);
        using var algorithm = AlgorithmRegistry.Create(config, TinyBatch.Classes, CPU, new CancelDuringViews(config.K, cancel), new NormalizeOnly());
        var before = AlgorithmTests.Snapshot(algorithm);

        Assert.Throws<OperationCanceledException>(() => algorithm.Update(TinyBatch.Create(), step: 0, cancel.Token));

        foreach (var name in before.Keys) Assert.False(AlgorithmTests.Changed(algorithm, before, name), $"{name} changed after the cancel");
    }

    [Theory]
    [InlineData("erm")]
    [InlineData("coral")]
    [InlineData("mixup")]
    [InlineData("sada")] // stage 2
    public void A_cancel_during_a_step_stops_it_before_the_optimiser_moves_the_weights(string name)
    {
        using var scope = NewDisposeScope();
        using var cancel = new CancellationTokenSource();
        var config = AlgorithmTests.Tiny(name);
        manual_seed(0);
        using var algorithm = AlgorithmRegistry.Create(config, TinyBatch.Classes, CPU, new RepeatedViews(config.K), new CancelDuringPlain(cancel));
        var before = AlgorithmTests.Snapshot(algorithm);

        Assert.Throws<OperationCanceledException>(() => algorithm.Update(TinyBatch.Create(), step: config.Stage1Steps, cancel.Token));

        foreach (var parameter in before.Keys) Assert.False(AlgorithmTests.Changed(algorithm, before, parameter), $"{parameter} changed after the cancel");
        // The same algorithm steps normally once nothing is cancelled.
        var losses = algorithm.Update(TinyBatch.Create(), step: config.Stage1Steps);
        Assert.True(double.IsFinite(losses["total"]));
    }
}
