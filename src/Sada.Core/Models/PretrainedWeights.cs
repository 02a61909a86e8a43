using System.Collections;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Sada.Core.Models;

/// <summary>
/// Loads ImageNet weights from a file the user provides: a torchvision state dict saved with torch.save (.pth, .pt)
/// or a .safetensors file. Never downloads. The classification layer (fc.*) of the file is ignored, since the
/// backbone has none. Every other key must match the module's by name and shape, so a wrong file fails loudly
/// instead of leaving half the network random.
/// </summary>
public static class PretrainedWeights
{
    /// <summary>Keys of a torchvision file that the backbone has no place for.</summary>
    public static readonly string[] IgnoredPrefixes = ["fc."];

    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file cannot be read, or its keys or shapes do not match the module.</exception>
    public static void Load(nn.Module module, string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Pretrained weights file not found: '{path}'. Provide a torchvision state dict (.pth) or a .safetensors file.", path);

        var loaded = Read(path);
        try
        {
            var target = module.state_dict();
            foreach (var (key, tensor) in target)
            {
                if (!loaded.TryGetValue(key, out var source))
                    throw new InvalidDataException($"Pretrained weights '{path}' do not fit the {Describe(module)}: key '{key}' is missing from the file.");
                if (!source.shape.SequenceEqual(tensor.shape))
                    throw new InvalidDataException($"Pretrained weights '{path}' do not fit the {Describe(module)}: key '{key}' has shape [{string.Join(", ", source.shape)}] in the file but [{string.Join(", ", tensor.shape)}] in the network.");
            }
            var unexpected = loaded.Keys.FirstOrDefault(k => !target.ContainsKey(k) && !IgnoredPrefixes.Any(k.StartsWith));
            if (unexpected is not null)
                throw new InvalidDataException($"Pretrained weights '{path}' do not fit the {Describe(module)}: the file has key '{unexpected}', which the network does not.");

            using var _ = no_grad();
            foreach (var (key, tensor) in target)
            {
                using var source = loaded[key].to(tensor.dtype, tensor.device);
                tensor.copy_(source);
            }
        }
        finally
        {
            foreach (var t in loaded.Values) t.Dispose();
        }
    }

    static string Describe(nn.Module module) => module is ResNetBackbone b ? b.Architecture + " backbone" : module.GetName();

    /// <summary>The file's tensors by key; any reader failure becomes one clear message naming the file.</summary>
    static Dictionary<string, Tensor> Read(string path)
    {
        try
        {
            if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                return Safetensors.LoadStateDict(path);
            var table = PyTorchUnpickler.UnpickleStateDict(path);
            var dict = new Dictionary<string, Tensor>();
            foreach (DictionaryEntry e in (IDictionary)table)
            {
                if (e.Key is string key && e.Value is Tensor t) dict[key] = t;
                else throw new InvalidDataException($"entry '{e.Key}' is not a tensor (a full checkpoint rather than a state dict?)");
            }
            return dict;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException(
                $"Could not read pretrained weights '{path}' as a {(path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) ? ".safetensors file" : "PyTorch state dict (torch.save zip format)")}: {e.Message}", e);
        }
    }
}
