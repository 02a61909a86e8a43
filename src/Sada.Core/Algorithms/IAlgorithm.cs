using Sada.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Algorithms;

/// <summary>
/// A domain-generalisation method in DomainBed's shape: one update on a multi-center minibatch that returns
/// named losses, and a predict. The trainer knows nothing of any particular method.
/// </summary>
public interface IAlgorithm : IDisposable
{
    string Name { get; }

    /// <summary>The whole network (backbone and heads), for checkpoints and device moves.</summary>
    nn.Module Network { get; }

    optim.Optimizer Optimizer { get; }

    /// <summary>
    /// One optimisation step at <paramref name="step"/> (0-based; the algorithm decides its stage from it).
    /// Runs inside the caller's dispose scope. Returns each loss component by name ("total", "la",
    /// "contrastive", "ce", ...) as plain numbers. <paramref name="cancellation"/> is checked inside the step too (after
    /// the augmentation, before the backward pass and before the optimiser step), so a cancel does not wait for a whole step.
    /// </summary>
    IReadOnlyDictionary<string, double> Update(MultiCenterBatch batch, int step, CancellationToken cancellation = default);

    /// <summary>Class logits for images in [0, 1] (N, 3, H, W); the algorithm normalises them itself.</summary>
    Tensor Predict(Tensor images);

    /// <summary>The representation r (global average pool of layer4) for images in [0, 1], for t-SNE and probes.</summary>
    Tensor Features(Tensor images);

    /// <summary>Stage of a step: 1 (feature learning) or 2 (classification).</summary>
    int StageAt(int step);
}
