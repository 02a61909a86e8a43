using Sada.Core.Augmentation;
using Sada.Core.Models;
using Sada.Core.Stain;
using static TorchSharp.torch;

namespace Sada.Core.Algorithms;

/// <summary>
/// Names to algorithms, as DomainBed's get_algorithm_class: a new method is one class and one line here, never an
/// edit of the trainer.
/// </summary>
public static class AlgorithmRegistry
{
    public delegate IAlgorithm Factory(AlgorithmConfig config, int numClasses, Device device, IViewAugmenter views, IImageAugment plain);

    public delegate CellNetwork NetworkFactory(AlgorithmConfig config, int numClasses, Device device);

    static readonly Dictionary<string, Factory> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sada"] = (config, numClasses, device, views, plain) => new Sada(config, numClasses, device, views, plain),
        ["erm"] = (config, numClasses, device, _, plain) => new Erm(config, numClasses, device, plain),
        ["coral"] = (config, numClasses, device, _, plain) => new Coral(config, numClasses, device, plain),
        ["mixup"] = (config, numClasses, device, _, plain) => new Mixup(config, numClasses, device, plain),
    };

    /// <summary>The network each algorithm trains, so stored weights load into the same shape (the baselines have no heads).</summary>
    static readonly Dictionary<string, NetworkFactory> Networks = new(StringComparer.OrdinalIgnoreCase)
    {
        ["sada"] = Sada.NetworkFor,
        ["erm"] = Baseline,
        ["coral"] = Baseline,
        ["mixup"] = Baseline,
    };

    static CellNetwork Baseline(AlgorithmConfig config, int numClasses, Device device) =>
        CellNetwork.Create(config, numClasses, device, withLaHead: false, withProjector: false);

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    /// <summary>The algorithm <see cref="AlgorithmConfig.Algorithm"/> names, with its network on <paramref name="device"/>.</summary>
    /// <param name="views">Stage-1 views (used by SADA only).</param>
    /// <param name="plain">Jitter and normalisation of plain images (stage 2 and the baselines).</param>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    /// <summary>
    /// The algorithm with the method's own augmentations: stain-based views (or, with StainAugmentation off,
    /// ColorJitter copies) for SADA's stage 1, and ColorJitter + ImageNet normalisation of plain images.
    /// </summary>
    public static IAlgorithm Create(AlgorithmConfig config, int numClasses, Device device)
    {
        IViewAugmenter views = config.StainAugmentation ? new StainAugmenter(config) : new JitterViewAugmenter(config);
        return Create(config, numClasses, device, views, new JitterAndNormalize(config));
    }

    public static IAlgorithm Create(AlgorithmConfig config, int numClasses, Device device, IViewAugmenter views, IImageAugment plain)
    {
        if (!Factories.TryGetValue(config.Algorithm, out var factory))
            throw new ArgumentException($"Unknown algorithm '{config.Algorithm}': known algorithms are {string.Join(", ", Factories.Keys)}.", nameof(config));
        return factory(config, numClasses, device, views, plain);
    }

    /// <summary>
    /// Only the network <see cref="AlgorithmConfig.Algorithm"/> trains (backbone, classifier and the heads its config asks
    /// for), without optimiser or augmenters: what stored weights load into for inference, at a third of the algorithm's
    /// memory (Adam keeps two tensors per parameter).
    /// </summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static CellNetwork CreateNetwork(AlgorithmConfig config, int numClasses, Device device)
    {
        if (!Networks.TryGetValue(config.Algorithm, out var network))
            throw new ArgumentException($"Unknown algorithm '{config.Algorithm}': known algorithms are {string.Join(", ", Networks.Keys)}.", nameof(config));
        return network(config, numClasses, device);
    }
}
