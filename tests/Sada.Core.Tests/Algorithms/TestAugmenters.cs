using Sada.Core.Augmentation;
using Sada.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Algorithms;

/// <summary>Test double for the stage-1 views: each normalised image k times, view i shifted by 0.05 i.</summary>
sealed class RepeatedViews(int k) : IViewAugmenter
{
    public int Views => k;
    public int Calls { get; private set; }

    public (Tensor Views, Tensor Labels) Augment(Tensor images, Tensor labels, Generator? generator = null)
    {
        Calls++;
        var n = images.shape[0];
        var views = ImageNetNormalization.Normalize(images).repeat_interleave(k, 0);
        var shift = (arange(k, dtype: images.dtype, device: images.device) * 0.05).repeat(n).view(-1, 1, 1, 1);
        return (views + shift, labels.repeat_interleave(k, 0));
    }
}

/// <summary>Test double for the plain augmentation: normalisation only.</summary>
sealed class NormalizeOnly : IImageAugment
{
    public int Calls { get; private set; }

    public Tensor Apply(Tensor images, Generator? generator = null)
    {
        Calls++;
        return ImageNetNormalization.Normalize(images);
    }
}

static class TinyBatch
{
    public const int Classes = 3;

    /// <summary>Two centers, four 32x32 cells each, labels cycling over three classes.</summary>
    public static MultiCenterBatch Create(int seed = 0)
    {
        manual_seed(seed);
        return new MultiCenterBatch([
            new CenterMinibatch(0, rand(4, 3, 32, 32), tensor(new long[] { 0, 1, 2, 0 })),
            new CenterMinibatch(1, rand(4, 3, 32, 32) * 0.8, tensor(new long[] { 1, 2, 0, 1 })),
        ]);
    }
}
