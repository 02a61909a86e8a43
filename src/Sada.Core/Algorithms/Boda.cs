using System.Diagnostics;
using Sada.Core.Augmentation;
using Sada.Core.Losses;
using Sada.Core.Models;
using Sada.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Algorithms;

/// <summary>
/// BoDA (Yang et al., 2022) as the authors' DomainBed release has it: per-center cross-entropy (each center's batch
/// through the network on its own, so BatchNorm sees one center at a time), the macro alignment penalty between centers,
/// and from <see cref="AlgorithmConfig.BodaStartStep"/> on the balanced, calibrated distance loss to per-(center, class)
/// centroids. The centroids are the means of every training image's representation, recomputed before every
/// <see cref="AlgorithmConfig.BodaUpdateEvery"/>-th step (eval mode, no gradients, batched) and blended with the previous
/// ones by the momentum (not at the first refresh). They are in checkpoints, so a resumed run continues exactly.
/// </summary>
public sealed class Boda : AlgorithmBase, ITrainingSetAware, IStatefulAlgorithm
{
    readonly IImageAugment _plain;
    TrainingSet? _trainingSet;
    Tensor? _counts, _centroidClasses, _centroidCenters, _centroids;

    public Boda(AlgorithmConfig config, int numClasses, Device device, IImageAugment plain)
        : base("boda", config, numClasses, device, CellNetwork.Create(config, numClasses, device, withLaHead: false, withProjector: false))
    {
        _plain = plain;
    }

    /// <summary>Seconds and images of the last centroid refresh (the benchmark reads them).</summary>
    public (double Seconds, int Images)? LastRefresh { get; private set; }

    public void Attach(TrainingSet trainingSet)
    {
        _trainingSet = trainingSet;
        var counts = new double[trainingSet.Centers.Count, NumClasses];
        var classes = new List<long>();
        var centers = new List<long>();
        for (var c = 0; c < trainingSet.Centers.Count; c++)
        {
            var present = trainingSet.Labels[c].CountBy(l => l).ToDictionary();
            // A class absent from a center counts as infinitely many, as in the authors' code: it never divides a logit.
            for (var k = 0; k < NumClasses; k++) counts[c, k] = present.TryGetValue(k, out var n) ? n : double.PositiveInfinity;
            foreach (var k in present.Keys.Order())
            {
                classes.Add(k);
                centers.Add(c);
            }
        }
        _counts = tensor(counts, device: Device).DetachFromDisposeScope();
        _centroidClasses = tensor(classes.ToArray(), device: Device).DetachFromDisposeScope();
        _centroidCenters = tensor(centers.ToArray(), device: Device).DetachFromDisposeScope();
        _centroids = zeros(classes.Count, Net.Featurizer.FeatureDim, device: Device).DetachFromDisposeScope();
    }

    protected override IReadOnlyDictionary<string, double> UpdateStep(MultiCenterBatch batch, int step)
    {
        if (_trainingSet is null) throw new InvalidOperationException("BoDA needs the training set: the trainer attaches it before the first step.");
        if (step > 0 && step % Config.BodaUpdateEvery == 0) RefreshCentroids(step);

        using var scope = NewDisposeScope();
        Net.train();
        var features = new List<Tensor>();
        var labels = new List<Tensor>();
        var ce = zeros([], device: Device);
        foreach (var center in batch.Centers)
        {
            var y = center.Labels.to(int64, Device);
            var r = Net.Featurizer.call(_plain.Apply(center.Images.to(Device), Random)).Representation;
            ce = ce + nn.functional.cross_entropy(Net.Classifier.call(r), y);
            features.Add(r);
            labels.Add(y);
        }
        ce = ce / batch.Centers.Count;
        var penalty = BodaLoss.MacroPenalty(features);
        var total = ce + Config.BodaMacroWeight * penalty;
        var losses = new Dictionary<string, double> { ["ce"] = Value(ce), ["macro"] = Value(penalty) };
        if (step >= Config.BodaStartStep)
        {
            var centerOfRow = cat(labels.Select((y, c) => full_like(y, CenterIndex(batch, c))).ToList());
            var distance = BodaLoss.Distance(cat(features), cat(labels), centerOfRow, _centroids!, _centroidClasses!, _centroidCenters!,
                _counts!, Config.BodaNu, Config.BodaTemperature);
            total = total + Config.BodaWeight * distance;
            losses["boda"] = Value(distance);
        }
        Step(total);
        losses["total"] = Value(total);
        return losses;
    }

    /// <summary>The batch's <paramref name="i"/>-th center's index among the training centers (the centroids' center order).</summary>
    int CenterIndex(MultiCenterBatch batch, int i)
    {
        var index = _trainingSet!.CenterIds.ToList().IndexOf(batch.Centers[i].Center);
        return index >= 0 ? index : throw new InvalidOperationException($"Center {batch.Centers[i].Center} is not a training center of the run.");
    }

    /// <summary>
    /// Every training image's representation (eval mode, no gradients, in batches), then new centroids; the update calls it
    /// before every BodaUpdateEvery-th step (the first refresh, at step BodaUpdateEvery, takes no momentum).
    /// </summary>
    public void RefreshCentroids(int step)
    {
        var set = _trainingSet!;
        var clock = Stopwatch.StartNew();
        set.Report("info", $"BoDA: computing the features of {set.Count} training images for the centroids at step {step}.");
        var perCenter = new List<Tensor>();
        using var scope = NewDisposeScope();
        for (var c = 0; c < set.Centers.Count; c++)
        {
            var batches = new List<Tensor>();
            foreach (var images in set.Batches(c))
            {
                using (images) batches.Add(Features(images));
            }
            perCenter.Add(cat(batches));
            set.Report("progress", $"BoDA centroids: center {c + 1}/{set.Centers.Count} ({set.Centers[c]}), {clock.Elapsed.TotalSeconds:F1} s.");
        }
        var factor = step == Config.BodaUpdateEvery ? 0 : Config.BodaMomentum;
        using (no_grad())
        {
            // Kept across steps: out of every dispose scope, disposed by hand when replaced.
            var refreshed = BodaLoss.RefreshCentroids(perCenter, set.Labels, _centroids!, factor).DetachFromDisposeScope();
            _centroids!.Dispose();
            _centroids = refreshed;
        }
        LastRefresh = (clock.Elapsed.TotalSeconds, set.Count);
        set.Report("info", $"BoDA: centroids of {set.Count} images refreshed in {clock.Elapsed.TotalSeconds:F1} s.");
    }

    public void SaveState(BinaryWriter writer)
    {
        var centroids = _centroids ?? throw new InvalidOperationException("BoDA's state is saved only after the training set is attached.");
        writer.Write(centroids.shape[0]);
        writer.Write(centroids.shape[1]);
        foreach (var v in centroids.cpu().to(float32).data<float>()) writer.Write(v);
    }

    public void LoadState(BinaryReader reader)
    {
        var centroids = _centroids ?? throw new InvalidOperationException("BoDA's state is loaded only after the training set is attached.");
        long rows = reader.ReadInt64(), columns = reader.ReadInt64();
        if (rows != centroids.shape[0] || columns != centroids.shape[1])
            throw new InvalidDataException($"The checkpoint holds {rows}x{columns} BoDA centroids; this run's training set has {centroids.shape[0]}x{centroids.shape[1]}.");
        var values = new float[rows * columns];
        for (var i = 0; i < values.Length; i++) values[i] = reader.ReadSingle();
        using var loaded = tensor(values).reshape(rows, columns);
        using (no_grad()) centroids.copy_(loaded);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _counts?.Dispose();
            _centroidClasses?.Dispose();
            _centroidCenters?.Dispose();
            _centroids?.Dispose();
        }
        base.Dispose(disposing);
    }
}
