using Sada.Core.Algorithms;

namespace Sada.Core.Training;

/// <summary>
/// The peak resident memory a training run will reach, from its config alone: a fixed part per backbone (runtime,
/// weights, gradients, Adam's moments, heads) plus activations kept for the backward pass, which grow with the pixels
/// the backbone sees in one step (views x side²), plus the decoded images the trainer keeps in memory.
/// </summary>
/// <remarks>
/// Calibrated on CPU from the peak RSS of real <c>sada train</c> runs (3 training centers of 96 px synthetic cells,
/// K = 3, a stage-1 and a stage-2 step and an evaluation), fitted by least squares:
/// resnet18 at 64 px x 72 views 748 MiB, 128 px x 72 views 1,416 MiB, 64 px x 144 views 912 MiB, 224 px x 36 views 2,002 MiB;
/// resnet50 at 64 px x 72 views 1,770 MiB, 128 px x 36 views 2,607 MiB, 224 px x 18 views 3,279 MiB.
/// The fit is within 6 % of every measurement (docs/hardening-web.md).
/// </remarks>
public sealed record RunMemoryEstimate(long Bytes, int ViewsPerStep, long FixedBytes, long ActivationBytes, long ImageBytes)
{
    /// <summary>Fixed bytes and bytes per input pixel of one view in a training step, per backbone.</summary>
    static readonly Dictionary<string, (long Fixed, long PerPixel)> Calibration = new(StringComparer.Ordinal)
    {
        ["resnet18"] = (455L << 20, 883),
        ["resnet50"] = (1076L << 20, 2597),
        // Not measured: ResNet-18's, plus layer4's third block (4.7 M parameters with Adam's two moments, about 60 MiB,
        // and a little more activation at the 1/32 scale).
        ["resnet18-imagenet"] = (515L << 20, 930),
    };

    /// <param name="trainingCenters">Centers a step draws from (the dataset's centers less the held-out one).</param>
    /// <param name="decodedImageBytes">RGB bytes of the training centers' images at their own size (the trainer's cache).</param>
    public static RunMemoryEstimate Of(AlgorithmConfig config, int trainingCenters, long decodedImageBytes = 0)
    {
        var (fixedBytes, perPixel) = Calibration.TryGetValue(config.Backbone, out var c) ? c : Calibration["resnet50"];
        int views = Views(config, Math.Max(1, trainingCenters));
        long activations = perPixel * views * (long)config.ImageSize * config.ImageSize;
        return new RunMemoryEstimate(fixedBytes + activations + decodedImageBytes, views, fixedBytes, activations, decodedImageBytes);
    }

    /// <summary>Images through the backbone in the heaviest step: SADA's feature stage passes K views of every cell, the rest one.</summary>
    public static int Views(AlgorithmConfig config, int trainingCenters)
    {
        int cells = config.BatchPerCenter * trainingCenters;
        bool views = config.Algorithm == "sada" && (config.Stage1Steps > 0 || !config.TwoStage);
        return views ? cells * config.K : cells;
    }

    public static string Gigabytes(long bytes) => $"{bytes / (double)(1L << 30):F1} GB";
}
