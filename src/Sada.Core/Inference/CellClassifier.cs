using Sada.Core.Algorithms;
using Sada.Core.Augmentation;
using Sada.Core.Imaging;
using Sada.Core.Models;
using Sada.Core.Models.Export;
using Sada.Core.Runtime;
using Sada.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Inference;

/// <summary>
/// A trained run's network loaded from its stored weights (best.weights, swad.weights) for inference: class probabilities
/// for decoded cell images, preprocessed exactly as the trainer's evaluation does (<see cref="CellTransforms.EvalBatch"/>,
/// then ImageNet normalisation and the network in eval mode, as <see cref="AlgorithmBase.Predict"/>). Safe next to a
/// running training: its own module instance, built inside <see cref="GlobalRandom"/>, no gradients, no random draw;
/// calls on one instance run one at a time. It never changes torch's thread settings, which are process-wide
/// (<see cref="TorchRuntime"/> sets them once).
/// </summary>
public sealed class CellClassifier : IDisposable
{
    readonly CellNetwork _network;
    readonly Lock _gate = new();

    CellClassifier(CellNetwork network, IReadOnlyList<string> classes, int imageSize, Device device, int batchSize)
    {
        _network = network;
        Classes = classes;
        ImageSize = imageSize;
        Device = device;
        BatchSize = batchSize;
    }

    public IReadOnlyList<string> Classes { get; }
    public int ImageSize { get; }
    public Device Device { get; }
    /// <summary>Images per forward pass when classifying many.</summary>
    public int BatchSize { get; }

    /// <summary>
    /// The network <paramref name="config"/> trains, with the weights at <paramref name="weightsPath"/>, on <paramref name="device"/>.
    /// <paramref name="classes"/> are the run's classes in its training order (their count sizes the classifier).
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="weightsPath"/>.</exception>
    /// <exception cref="InvalidDataException">The file does not hold this network's weights.</exception>
    public static CellClassifier Load(AlgorithmConfig config, IReadOnlyList<string> classes, string weightsPath, Device device, int batchSize = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var network = TrainedNetwork.Load(config, classes.Count, weightsPath, device);
        return new CellClassifier(network, classes, config.ImageSize, device, batchSize);
    }

    public ClassProbabilities Classify(DecodedImage image) => Classify([image])[0];

    /// <summary>Probabilities for every image, in order, <see cref="BatchSize"/> images per forward pass.</summary>
    public IReadOnlyList<ClassProbabilities> Classify(IReadOnlyList<DecodedImage> images)
    {
        var result = new List<ClassProbabilities>(images.Count);
        int n = Classes.Count;
        for (int start = 0; start < images.Count; start += BatchSize)
        {
            var chunk = images.Skip(start).Take(BatchSize).ToList();
            float[] p;
            lock (_gate)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var x = CellTransforms.EvalBatch(chunk, ImageSize).to(Device);
                var logits = _network.call(ImageNetNormalization.Normalize(x));
                p = nn.functional.softmax(logits.to(ScalarType.Float32), 1).cpu().data<float>().ToArray();
            }
            for (int i = 0; i < chunk.Count; i++) result.Add(new ClassProbabilities(Classes, p[(i * n)..((i + 1) * n)]));
        }
        return result;
    }

    /// <summary>The representation r (N, C) for images in [0, 1] on any device, as <see cref="AlgorithmBase.Features"/>; for t-SNE.</summary>
    public Tensor Features(Tensor images)
    {
        lock (_gate)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var x = ImageNetNormalization.Normalize(images.to(Device));
            return _network.Featurizer.call(x).Representation.MoveToOuterDisposeScope();
        }
    }

    public void Dispose() => _network.Dispose();
}
