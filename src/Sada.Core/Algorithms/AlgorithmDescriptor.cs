using Sada.Core.Augmentation;
using Sada.Core.Models;
using static TorchSharp.torch;

namespace Sada.Core.Algorithms;

/// <summary>
/// Everything the rest of the workbench may know of one algorithm, declared once in <see cref="AlgorithmRegistry"/>:
/// its name, how to build it, the network its weights load into, and how many views of a cell its steps send through
/// the backbone (run-time and memory estimates count them).
/// </summary>
/// <param name="Name">The name a config, the CLI and the API use (lower case, as DomainBed's registry).</param>
/// <param name="Title">The name tables and pages print.</param>
/// <param name="Create">The algorithm with its optimiser; views are the stage-1 augmenter (multi-view algorithms only).</param>
/// <param name="Network">Only the network it trains, the shape stored weights load into.</param>
/// <param name="ViewsOverSteps">Views of one cell summed over the first n steps (n for single-view algorithms).</param>
public sealed record AlgorithmDescriptor(
    string Name,
    string Title,
    AlgorithmDescriptor.Factory Create,
    AlgorithmDescriptor.NetworkFactory Network,
    Func<AlgorithmConfig, int, long> ViewsOverSteps)
{
    public delegate IAlgorithm Factory(AlgorithmConfig config, int numClasses, Device device, IViewAugmenter views, IImageAugment plain);

    public delegate CellNetwork NetworkFactory(AlgorithmConfig config, int numClasses, Device device);

    /// <summary>One view per cell per step: every algorithm that trains on the plain images.</summary>
    public static long OneViewPerStep(AlgorithmConfig config, int steps) => steps;
}
