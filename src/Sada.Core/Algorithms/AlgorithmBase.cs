using Sada.Core.Augmentation;
using Sada.Core.Models;
using Sada.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Algorithms;

/// <summary>
/// What every algorithm shares, as DomainBed's Algorithm base does: the network, one Adam optimiser over all its
/// parameters (the config's learning rate and weight decay), a seeded generator for the algorithm's own
/// randomness, and Predict/Features on images in [0, 1] with ImageNet normalisation in eval mode.
/// </summary>
public abstract class AlgorithmBase : IAlgorithm
{
    protected AlgorithmBase(string name, AlgorithmConfig config, int numClasses, Device device, CellNetwork network)
    {
        Name = name;
        Config = config;
        NumClasses = numClasses;
        Device = device;
        Net = network;
        // Before the optimiser takes the parameters: converting replaces the convolution weights.
        if (config.ChannelsLast) ChannelsLast.Convert(network);
        // Refused here, with a message, rather than failing at the first training step with a missing native symbol.
        if (config.BFloat16 && !Runtime.CpuAutocast.Available)
            throw new InvalidOperationException("bFloat16 is on, but this libtorch has no CPU autocast to call (docs/performance.md); turn bFloat16 off.");
        network.Featurizer.BFloat16 = config.BFloat16;
        Optimizer = optim.Adam(network.parameters(), lr: config.LearningRate, weight_decay: config.WeightDecay);
        // On the run's device, so augmenters and samplers can draw on it directly; reseeded at every step.
        Random = new Generator((ulong)config.Seed, device);
    }

    public string Name { get; }
    public AlgorithmConfig Config { get; }
    public int NumClasses { get; }
    public Device Device { get; }
    public CellNetwork Net { get; }
    public nn.Module Network => Net;
    public optim.Optimizer Optimizer { get; }
    protected Generator Random { get; }

    /// <summary>
    /// Reseeds the algorithm's generator from (seed, step) and runs the step: a run's randomness is a function of
    /// the step, so a run resumed from a checkpoint draws exactly what it would have drawn without stopping.
    /// </summary>
    public IReadOnlyDictionary<string, double> Update(MultiCenterBatch batch, int step, CancellationToken cancellation = default)
    {
        Random.manual_seed(SeedMix.Of(Config.Seed, step, -2));
        Cancellation = cancellation;
        try
        {
            return UpdateStep(batch, step);
        }
        finally
        {
            Cancellation = default;
        }
    }

    /// <summary>The running step's cancellation, checked between its long parts (<see cref="Step"/> does so around the backward pass).</summary>
    protected CancellationToken Cancellation { get; private set; }

    /// <summary>One optimisation step; see <see cref="IAlgorithm.Update"/>.</summary>
    protected abstract IReadOnlyDictionary<string, double> UpdateStep(MultiCenterBatch batch, int step);

    /// <summary>Baselines have one stage, classification.</summary>
    public virtual int StageAt(int step) => 2;

    public Tensor Predict(Tensor images) => InEval(images, x => Net.call(x));

    public Tensor Features(Tensor images) => InEval(images, x => Net.Featurizer.call(x).Representation);

    /// <summary>Runs <paramref name="f"/> on normalised images without gradients and in eval mode, then restores the mode.</summary>
    Tensor InEval(Tensor images, Func<Tensor, Tensor> f)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var wasTraining = Net.training;
        Net.eval();
        try
        {
            var x = ImageNetNormalization.Normalize(images.to(Device));
            return f(x).MoveToOuterDisposeScope();
        }
        finally
        {
            if (wasTraining) Net.train();
        }
    }

    /// <summary>Every center's images on the device, and their labels as int64.</summary>
    protected (Tensor Images, Tensor Labels) AllOnDevice(MultiCenterBatch batch) =>
        (batch.AllImages().to(Device), batch.AllLabels().to(int64, Device));

    /// <summary>One optimiser step on <paramref name="loss"/>; a cancel before or after the backward pass stops it before the weights change.</summary>
    protected void Step(Tensor loss)
    {
        Cancellation.ThrowIfCancellationRequested();
        Optimizer.zero_grad();
        loss.backward();
        Cancellation.ThrowIfCancellationRequested();
        Optimizer.step();
    }

    protected static double Value(Tensor scalar) => scalar.item<float>();

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        Net.Dispose();
        Optimizer.Dispose();
        Random.Dispose();
    }
}
