using Sada.Core.Algorithms;
using Sada.Core.Augmentation;
using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>
/// The "without SBA" ablation: every cell's original, then k - 1 ColorJitter copies of it, ImageNet-normalised,
/// in the same order as <see cref="StainAugmenter"/>.
/// </summary>
public sealed class JitterViewAugmenter : IViewAugmenter
{
    readonly ColorJitter _jitter;

    public JitterViewAugmenter(AlgorithmConfig config)
    {
        Views = config.K;
        _jitter = new ColorJitter(config.JitterBrightness, config.JitterContrast, config.JitterSaturation, config.JitterHue);
    }

    public int Views { get; }

    public (Tensor Views, Tensor Labels) Augment(Tensor images, Tensor labels, Generator? generator = null)
    {
        if (images.dim() != 4 || images.shape[1] != 3) throw new ArgumentException($"expected (N, 3, H, W) images, got [{string.Join(", ", images.shape)}]", nameof(images));
        using var scope = NewDisposeScope();
        long n = images.shape[0], height = images.shape[2], width = images.shape[3];
        int k = Views;
        Tensor views;
        if (k == 1) views = images.clone();
        else if (CpuKernels.Fusable(images))
        {
            // CPU: k copies of every cell written in place, the k-1 extra ones jittered there, all normalised in place.
            views = empty(n * k, 3, height, width);
            views.view(n, k, 3, height, width).copy_(images.unsqueeze(1).expand(n, k, 3, height, width));
            var slots = Enumerable.Range(0, (int)n).SelectMany(s => Enumerable.Range(s * k + 1, k - 1)).ToArray();
            _jitter.ApplyInPlace(views, slots, generator);
            PixelKernels.Normalize(views, null, views, null);
            return (views.MoveToOuterDisposeScope(), labels.repeat_interleave(k).MoveToOuterDisposeScope());
        }
        else
        {
            var copies = images.unsqueeze(1).expand(n, k - 1, 3, height, width).reshape(n * (k - 1), 3, height, width);
            var jittered = _jitter.Apply(copies, generator).view(n, k - 1, 3, height, width);
            views = cat([images.unsqueeze(1), jittered], 1).view(n * k, 3, height, width);
        }
        ViewNormalization.Normalize_(views);
        return (views.MoveToOuterDisposeScope(), labels.repeat_interleave(k).MoveToOuterDisposeScope());
    }
}
