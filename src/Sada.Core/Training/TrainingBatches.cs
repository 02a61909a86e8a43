using Sada.Core.Algorithms;
using Sada.Core.Data;
using static TorchSharp.torch;

namespace Sada.Core.Training;

/// <summary>
/// A step's minibatch from its cells: per center, RandomResizedCrop and flip of each cell's training image, drawn from a
/// generator seeded by (seed, step, center), so the batch is a function of the step alone, whichever thread makes it and
/// whether its images were kept or decoded again.
/// </summary>
public static class TrainingBatches
{
    /// <summary>The batch on the CPU, its tensors in no dispose scope: <see cref="PreparedBatch.Dispose"/> frees them.</summary>
    public static PreparedBatch Make(IReadOnlyList<CellSample>[] cells, BoundedImageCache cache, AlgorithmConfig config, int step)
    {
        using var scope = NewDisposeScope();
        var centers = new List<CenterMinibatch>(cells.Length);
        for (int i = 0; i < cells.Length; i++)
        {
            var rng = new Random(SeedMix.Of(config.Seed, step, i));
            var images = CellTransforms.TrainBatch(cells[i].Select(c => cache.Get(c.Path, ImageUse.Training)).ToList(),
                config.ImageSize, config.CropScaleMin, config.CropScaleMax, rng);
            var labels = tensor(cells[i].Select(c => (long)c.Label).ToArray());
            centers.Add(new CenterMinibatch(cells[i][0].Center, images, labels));
        }
        foreach (var c in centers) { c.Images.DetachFromDisposeScope(); c.Labels.DetachFromDisposeScope(); }
        return new PreparedBatch(centers);
    }
}
