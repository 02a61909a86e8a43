using static TorchSharp.torch;

namespace Sada.Core.Training;

/// <summary>
/// Every training image of a run, center by center, for an algorithm whose update needs statistics over the whole
/// training set (BoDA's class centroids, its per-(center, class) counts), given once before the first step through
/// <see cref="Algorithms.ITrainingSetAware"/>. Images come in eval batches (resized, in [0, 1], on the run's device),
/// in the order of <see cref="Labels"/>.
/// </summary>
/// <param name="CenterIds">The training centers' dataset indices (<see cref="CenterMinibatch.Center"/>), in the trainer's order.</param>
/// <param name="Centers">Their names, in the same order.</param>
/// <param name="Labels">Each training center's class labels, one per training image.</param>
/// <param name="Batches">A center's images in batches, in label order; each batch is the caller's to dispose.</param>
/// <param name="Report">Where a long pass over the set says how far it is (the run's log).</param>
public sealed record TrainingSet(
    IReadOnlyList<int> CenterIds,
    IReadOnlyList<string> Centers,
    IReadOnlyList<IReadOnlyList<int>> Labels,
    Func<int, IEnumerable<Tensor>> Batches,
    Action<string, string> Report)
{
    public int Count => Labels.Sum(l => l.Count);
}
