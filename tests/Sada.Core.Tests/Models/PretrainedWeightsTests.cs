using Sada.Core.Models;
using Sada.Core.Runtime;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Models;

public sealed class PretrainedWeightsTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("sada-weights-").FullName;

    public PretrainedWeightsTests() => Assert.True(TorchRuntime.Initialize("cpu", 1).Loaded);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("resnet18.pth")]
    [InlineData("resnet18.safetensors")]
    public void Torchvision_state_dict_round_trips_into_a_fresh_backbone(string file)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        // A torchvision ResNet-18 with its fc, as PyTorch would save it; perturb the BN statistics so buffers are checked too.
        using var source = torchvision.models.resnet18();
        using (no_grad())
            foreach (var (key, t) in source.state_dict().Where(kv => kv.Key.EndsWith("running_mean", StringComparison.Ordinal)))
                t.add_(randn_like(t));
        var path = Path.Combine(_dir, file);
        if (file.EndsWith(".pth", StringComparison.Ordinal)) source.save_py(path); else source.save_safetensors(path);

        using var backbone = new ResNetBackbone("resnet18");
        PretrainedWeights.Load(backbone, path);

        var expected = source.state_dict();
        foreach (var (key, value) in backbone.state_dict())
            Assert.True(value.allclose(expected[key], rtol: 0, atol: 0), $"{key} differs after loading {file}");
    }

    [Fact]
    public void Missing_file_names_the_file()
    {
        using var backbone = new ResNetBackbone("resnet18");
        var path = Path.Combine(_dir, "nowhere.pth");
        var e = Assert.Throws<FileNotFoundException>(() => PretrainedWeights.Load(backbone, path));
        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData("corrupt.pth")]
    [InlineData("corrupt.safetensors")]
    public void Corrupt_file_gives_a_clear_message(string file)
    {
        using var backbone = new ResNetBackbone("resnet18");
        var path = Path.Combine(_dir, file);
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        var e = Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(backbone, path));
        Assert.Contains("Could not read pretrained weights", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Wrong_architecture_names_the_first_mismatched_key()
    {
        using var scope = NewDisposeScope();
        using var source = new ResNetBackbone("resnet18");
        var path = Path.Combine(_dir, "r18.pth");
        source.save_py(path);
        using var backbone = new ResNetBackbone("resnet50");
        var e = Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(backbone, path));
        Assert.Contains(path, e.Message);
        Assert.Contains("resnet50 backbone", e.Message);
        Assert.Matches("key '[a-z0-9_.]+'", e.Message);
    }

    [Fact]
    public void Missing_key_is_named()
    {
        using var scope = NewDisposeScope();
        using var source = new ResNetBackbone("resnet18");
        var path = Path.Combine(_dir, "partial.pth");
        source.save_py(path, skip: ["layer3.0.conv1.weight"]);
        using var backbone = new ResNetBackbone("resnet18");
        var e = Assert.Throws<InvalidDataException>(() => PretrainedWeights.Load(backbone, path));
        Assert.Contains("'layer3.0.conv1.weight' is missing", e.Message);
    }
}
