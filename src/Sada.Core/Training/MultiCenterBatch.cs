using static TorchSharp.torch;

namespace Sada.Core.Training;

/// <summary>
/// One training step's input: for every training center, B cells after the input transform
/// (RandomResizedCrop, flip) as floats in [0, 1], not yet normalised, with their class indices.
/// </summary>
public sealed record CenterMinibatch(int Center, Tensor Images, Tensor Labels);

public sealed record MultiCenterBatch(IReadOnlyList<CenterMinibatch> Centers)
{
    /// <summary>All centers' images concatenated in center order: (sum B, 3, H, W).</summary>
    public Tensor AllImages() => cat(Centers.Select(c => c.Images).ToArray(), 0);

    public Tensor AllLabels() => cat(Centers.Select(c => c.Labels).ToArray(), 0);

    /// <summary>Center index of every cell of <see cref="AllImages"/>.</summary>
    public Tensor AllCenters() => cat(Centers.Select(c => full(c.Labels.shape[0], c.Center, dtype: ScalarType.Int64, device: c.Labels.device)).ToArray(), 0);
}
