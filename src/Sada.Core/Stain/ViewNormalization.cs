using Sada.Core.Augmentation;
using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>ImageNet normalisation in place, for tensors the augmenters own (saves allocating another full batch).</summary>
internal static class ViewNormalization
{
    /// <summary>x <- (x - mean) / std per channel, on (N, 3, H, W); returns x.</summary>
    public static Tensor Normalize_(Tensor x)
    {
        using var scope = NewDisposeScope();
        var inv = tensor(ImageNetNormalization.Std.Select(s => 1f / s).ToArray(), dtype: x.dtype, device: x.device).view(1, 3, 1, 1);
        var shift = tensor(ImageNetNormalization.Mean.Zip(ImageNetNormalization.Std, (m, s) => -m / s).ToArray(), dtype: x.dtype, device: x.device).view(1, 3, 1, 1);
        x.mul_(inv).add_(shift);
        return x;
    }
}
