using Sada.Core.Algorithms;
using Sada.Core.Augmentation;
using static TorchSharp.torch;

namespace Sada.Core.Stain;

/// <summary>Stage 2's (and the baselines') image augmentation: ColorJitter, then ImageNet normalisation.</summary>
public sealed class JitterAndNormalize : IImageAugment
{
    public ColorJitter Jitter { get; }

    public JitterAndNormalize(ColorJitter jitter) => Jitter = jitter;

    public JitterAndNormalize(AlgorithmConfig config)
        : this(new ColorJitter(config.JitterBrightness, config.JitterContrast, config.JitterSaturation, config.JitterHue)) { }

    public Tensor Apply(Tensor images, Generator? generator = null)
    {
        using var scope = NewDisposeScope();
        var jittered = Jitter.Apply(images, generator);
        if (CpuKernels.Fusable(jittered)) PixelKernels.Normalize(jittered, null, jittered, null);   // one pass, in place
        else ViewNormalization.Normalize_(jittered);
        return jittered.MoveToOuterDisposeScope();
    }
}
