using Sada.Core.Augmentation;
using Sada.Core.Models;
using Sada.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Algorithms;

/// <summary>
/// DomainBed's inter-domain Mixup: centers are paired at random (a permutation, each with the next), and each pair's
/// images are mixed with lambda ~ Beta(alpha, alpha); loss = lambda CE(y_i) + (1 - lambda) CE(y_j), averaged over pairs.
/// </summary>
public sealed class Mixup : AlgorithmBase
{
    readonly IImageAugment _plain;

    public Mixup(AlgorithmConfig config, int numClasses, Device device, IImageAugment plain)
        : base("mixup", config, numClasses, device, CellNetwork.Create(config, numClasses, device, withLaHead: false, withProjector: false))
    {
        _plain = plain;
    }

    protected override IReadOnlyDictionary<string, double> UpdateStep(MultiCenterBatch batch, int step)
    {
        using var scope = NewDisposeScope();
        Net.train();
        var centers = batch.Centers
            .Select(c => (Images: _plain.Apply(c.Images.to(Device), Random), Labels: c.Labels.to(int64, Device)))
            .ToArray();
        var n = centers.Length;
        var perm = randperm(n, device: Device, generator: Random).cpu().data<long>().ToArray();
        var alpha = full(2, Config.MixupAlpha, dtype: float64, device: Device);
        // A distribution keeps its parameters outside the dispose scope, so it is disposed explicitly; and
        // disposing it also disposes the generator it was given, so it gets its own, seeded from ours.
        var betaSeed = randint(long.MaxValue, [1], dtype: int64, generator: Random).item<long>();
        using var betaGenerator = new Generator((ulong)betaSeed, Device);
        using var beta = distributions.Beta(alpha[0], alpha[1], betaGenerator);

        var objective = zeros([], device: Device);
        for (var p = 0; p < n; p++)
        {
            var (xi, yi) = centers[perm[p]];
            var (xj, yj) = centers[perm[(p + 1) % n]];
            // Centers may hold different numbers of cells; mix the first min(n_i, n_j).
            var m = Math.Min(xi.shape[0], xj.shape[0]);
            var lam = beta.sample().item<double>();
            var x = lam * xi[..(int)m] + (1 - lam) * xj[..(int)m];
            var logits = Net.call(x);
            objective = objective
                + lam * nn.functional.cross_entropy(logits, yi[..(int)m])
                + (1 - lam) * nn.functional.cross_entropy(logits, yj[..(int)m]);
        }
        objective = objective / n;
        Step(objective);
        var loss = Value(objective);
        return new Dictionary<string, double> { ["total"] = loss, ["ce"] = loss };
    }
}
