using Sada.Core.Augmentation;
using Sada.Core.Models;
using Sada.Core.Stain;
using static TorchSharp.torch;

namespace Sada.Core.Algorithms;

/// <summary>
/// The one list of algorithms, as DomainBed's registry: a new method is one class and one entry here, never an edit
/// of the trainer, the config, the CLI or the pages, which all read this list.
/// </summary>
public static class AlgorithmRegistry
{
    public static readonly IReadOnlyList<AlgorithmDescriptor> All =
    [
        new("sada", "SADA",
            (config, numClasses, device, views, plain) => new SadaAlgorithm(config, numClasses, device, views, plain),
            SadaAlgorithm.NetworkFor, SadaAlgorithm.ViewsOverSteps),
        new("erm", "ERM",
            (config, numClasses, device, _, plain) => new Erm(config, numClasses, device, plain),
            Baseline, AlgorithmDescriptor.OneViewPerStep),
        new("coral", "CORAL",
            (config, numClasses, device, _, plain) => new Coral(config, numClasses, device, plain),
            Baseline, AlgorithmDescriptor.OneViewPerStep),
        new("mixup", "Mixup",
            (config, numClasses, device, _, plain) => new Mixup(config, numClasses, device, plain),
            Baseline, AlgorithmDescriptor.OneViewPerStep),
        new("mmd", "MMD",
            (config, numClasses, device, _, plain) => new Mmd(config, numClasses, device, plain),
            Baseline, AlgorithmDescriptor.OneViewPerStep),
        new("selfreg", "SelfReg",
            (config, numClasses, device, _, plain) => new SelfReg(config, numClasses, device, plain),
            Baseline, AlgorithmDescriptor.OneViewPerStep),
        new("boda", "BoDA",
            (config, numClasses, device, _, plain) => new Boda(config, numClasses, device, plain),
            Baseline, AlgorithmDescriptor.OneViewPerStep),
    ];

    /// <summary>The baselines' network: backbone and classifier, no heads.</summary>
    static CellNetwork Baseline(AlgorithmConfig config, int numClasses, Device device) =>
        CellNetwork.Create(config, numClasses, device, withLaHead: false, withProjector: false);

    public static IReadOnlyList<string> Names { get; } = All.Select(a => a.Name).ToArray();

    /// <summary>The descriptor of <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static AlgorithmDescriptor Find(string name) =>
        All.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown algorithm '{name}': known algorithms are {string.Join(", ", Names)}.", nameof(name));

    /// <summary>
    /// The algorithm with the method's own augmentations: stain-based views (or, with StainAugmentation off,
    /// ColorJitter copies) for SADA's stage 1, and ColorJitter + ImageNet normalisation of plain images.
    /// </summary>
    public static IAlgorithm Create(AlgorithmConfig config, int numClasses, Device device)
    {
        IViewAugmenter views = config.StainAugmentation ? new StainAugmenter(config) : new JitterViewAugmenter(config);
        return Create(config, numClasses, device, views, new JitterAndNormalize(config));
    }

    /// <param name="views">Stage-1 views (multi-view algorithms only).</param>
    /// <param name="plain">Jitter and normalisation of plain images (stage 2 and the baselines).</param>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static IAlgorithm Create(AlgorithmConfig config, int numClasses, Device device, IViewAugmenter views, IImageAugment plain)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Find(config.Algorithm).Create(config, numClasses, device, views, plain);
    }

    /// <summary>
    /// Only the network <see cref="AlgorithmConfig.Algorithm"/> trains (backbone, classifier and the heads its config asks
    /// for), without optimiser or augmenters: what stored weights load into for inference, at a third of the algorithm's
    /// memory (Adam keeps two tensors per parameter).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static CellNetwork CreateNetwork(AlgorithmConfig config, int numClasses, Device device)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Find(config.Algorithm).Network(config, numClasses, device);
    }
}
