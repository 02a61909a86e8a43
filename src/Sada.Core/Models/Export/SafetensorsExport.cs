using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Sada.Core.Models.Export;

/// <summary>
/// A trained classifier's weights as a <c>.safetensors</c> file that loads into torchvision's ResNet with the Python
/// safetensors package (<c>resnet18(num_classes=K).load_state_dict(load_file(path))</c>): the tensors of
/// <see cref="TrainedNetwork.TorchvisionStateDict"/>, float32 (<c>num_batches_tracked</c> int64), written by TorchSharp.PyBridge.
/// </summary>
public static class SafetensorsExport
{
    /// <summary>Writes the file to <paramref name="stream"/>, which stays open.</summary>
    public static void Write(CellNetwork network, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var scope = NewDisposeScope();
        // PyBridge writes the tensors in the dictionary's order; a fresh Dictionary filled once keeps insertion order.
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in TrainedNetwork.TorchvisionStateDict(network))
            tensors[name] = tensor.detach().cpu().contiguous();
        Safetensors.SaveStateDict(stream, tensors, leaveOpen: true);
    }

    /// <summary>The file's bytes.</summary>
    public static byte[] ToBytes(CellNetwork network)
    {
        using var memory = new MemoryStream();
        Write(network, memory);
        return memory.ToArray();
    }
}
