using Sada.Core.Algorithms;
using Sada.Core.Runtime;
using Sada.Core.Training;
using static TorchSharp.torch;

namespace Sada.Core.Models.Export;

/// <summary>
/// A run's trained network read back from one of its stored files, in eval mode, and its weights under torchvision's names:
/// what prediction, the safetensors download and the ONNX export share.
/// </summary>
public static class TrainedNetwork
{
    /// <summary>
    /// The network <paramref name="config"/> trains, with <paramref name="numClasses"/> outputs, holding the weights at
    /// <paramref name="path"/>: a weights file (<c>best.weights</c>, <c>swad.weights</c>) or a resumable checkpoint
    /// (<c>last.ckpt</c>, whose optimizer state is skipped). Built inside <see cref="GlobalRandom"/>; no ImageNet file is
    /// read, since the stored weights replace every parameter and statistic.
    /// </summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file does not hold this network's weights.</exception>
    public static CellNetwork Load(AlgorithmConfig config, int numClasses, string path, Device device)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!File.Exists(path)) throw new FileNotFoundException($"Weights not found: {path}", path);
        var bare = config with
        {
            Weights = null,
            Init = BackboneInit.Scratch,
            FreezeBatchNorm = config.FreezesBatchNorm ? BatchNormPolicy.Always : BatchNormPolicy.Never,
        };
        var network = GlobalRandom.Exclusive(() => AlgorithmRegistry.CreateNetwork(bare, numClasses, device));
        try
        {
            if (path.EndsWith(".ckpt", StringComparison.Ordinal)) Checkpoint.LoadNetwork(path, network);
            else network.load(path);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException or IOException or InvalidDataException)
        {
            network.Dispose();
            throw new InvalidDataException($"{path} does not hold the weights of a {config.Algorithm} {config.Backbone} network " +
                                           $"with {numClasses} classes: {e.Message}", e);
        }
        network.eval();
        return network;
    }

    /// <summary>
    /// The classifier's weights as torchvision's <c>resnet18(num_classes=K)</c> / <c>resnet50</c> name them: the backbone's
    /// state dict without its <c>featurizer.</c> prefix (<c>conv1.weight</c>, <c>bn1.running_mean</c>,
    /// <c>layer1.0.conv1.weight</c>, ... and every BatchNorm's <c>num_batches_tracked</c>), the classifier as <c>fc.weight</c>
    /// and <c>fc.bias</c>. Training-only heads (local alignment, projector) are left out. The tensors are the network's own
    /// (not copies), in the state dict's order.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, Tensor>> TorchvisionStateDict(CellNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        const string backbone = "featurizer.", classifier = "classifier.";
        var result = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, tensor) in network.state_dict())
        {
            if (name.StartsWith(backbone, StringComparison.Ordinal)) result.Add(new(name[backbone.Length..], tensor));
            else if (name.StartsWith(classifier, StringComparison.Ordinal)) result.Add(new("fc." + name[classifier.Length..], tensor));
        }
        return result;
    }
}
