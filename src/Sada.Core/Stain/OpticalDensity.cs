using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>
/// Beer-Lambert optical density: OD = -ln(I) for intensities I in [0, 1]. Stains add linearly in OD space,
/// which is what lets SNMF factor an image into stain colours and concentrations.
/// </summary>
public static class OpticalDensity
{
    public const double Eps = 1e-6;
    /// <summary>A pixel whose three channels are all below this is treated as white (no tissue, no stain).</summary>
    public const double BlackThreshold = 0.05;

    /// <summary>(N, 3, H, W) RGB in [0, 1] to optical density, a new tensor.</summary>
    /// <param name="fused">CPU float32 (N, 3, H, W): one SIMD pass (<see cref="PixelKernels"/>); false forces the torch ops.</param>
    public static Tensor FromRgb(Tensor rgb, bool fused = true)
    {
        if (fused && rgb.dim() == 4 && rgb.shape[1] == 3 && CpuKernels.Fusable(rgb))
        {
            var result = empty_like(rgb);
            PixelKernels.RgbToOd(rgb, result);
            return result;
        }
        using var scope = NewDisposeScope();
        // max over channels below the threshold <=> all three channels below it; one reduction instead of three compares.
        var black = rgb.amax([1], keepdim: true).lt(BlackThreshold);
        var od = rgb.masked_fill(black, 1.0).clamp_min_(Eps).log_().neg_().clamp_min_(Eps);
        return od.MoveToOuterDisposeScope();
    }

    /// <summary>Optical density back to RGB: exp(-max(od, eps)), a new tensor.</summary>
    public static Tensor ToRgb(Tensor od)
    {
        using var scope = NewDisposeScope();
        return od.clamp_min(Eps).neg_().exp_().MoveToOuterDisposeScope();
    }
}
