using static TorchSharp.torch;

namespace Sada.Core.Augmentation;

/// <summary>Normalisation with the ImageNet statistics every torchvision backbone was trained with.</summary>
public static class ImageNetNormalization
{
    public static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    /// <summary>(N, 3, H, W) in [0, 1] to normalised; a new tensor.</summary>
    public static Tensor Normalize(Tensor images)
    {
        using var mean = tensor(Mean, dtype: images.dtype, device: images.device).view(1, 3, 1, 1);
        using var std = tensor(Std, dtype: images.dtype, device: images.device).view(1, 3, 1, 1);
        return (images - mean).div_(std);
    }
}
