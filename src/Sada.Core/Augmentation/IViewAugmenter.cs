using static TorchSharp.torch;

namespace Sada.Core.Augmentation;

/// <summary>
/// Makes the k views of every cell for stage 1, ordered [x0, x0^1 .. x0^(k-1), x1, x1^1, ...], with the labels
/// repeated the same way, ImageNet-normalised. SADA's stain-based augmentation is one; k ColorJitter copies
/// (the "without SBA" ablation) is another.
/// </summary>
public interface IViewAugmenter
{
    /// <summary>k: views per cell, the original included.</summary>
    int Views { get; }

    /// <param name="images">(N, 3, H, W) floats in [0, 1], every training center's cells together.</param>
    /// <param name="labels">(N) class indices.</param>
    (Tensor Views, Tensor Labels) Augment(Tensor images, Tensor labels, Generator? generator = null);
}

/// <summary>A per-image augmentation of plain images that ends ImageNet-normalised (stage 2's ColorJitter, for one).</summary>
public interface IImageAugment
{
    /// <param name="images">(N, 3, H, W) floats in [0, 1].</param>
    Tensor Apply(Tensor images, Generator? generator = null);
}
