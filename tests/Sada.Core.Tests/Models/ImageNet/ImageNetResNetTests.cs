using Sada.Core.Algorithms;
using Sada.Core.Augmentation;
using Sada.Core.Models;
using Sada.Core.Models.ImageNet;
using Sada.Core.Runtime;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Models.ImageNet;

public class ImageNetResNetTests
{
    readonly ITestOutputHelper _output;

    public ImageNetResNetTests(ITestOutputHelper output)
    {
        _output = output;
        Assert.True(TorchRuntime.Initialize("cpu", 1).Loaded);
    }

    static MlNetResNetPackage.Files Package() =>
        MlNetResNetPackage.TryFind() ?? throw new Xunit.Sdk.XunitException(MlNetResNetPackage.MissingMessage);

    /// <summary>A reproducible RGB 0-255 image: smooth blobs plus noise, like a stained cell more than pure noise.</summary>
    static float[] Image(int size, int seed)
    {
        var random = new Random(seed);
        var values = new float[3 * size * size];
        for (var c = 0; c < 3; c++)
            for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                {
                    var smooth = 128 + 90 * Math.Sin((x + 7 * c) * 0.11) * Math.Cos((y - 5 * c) * 0.07);
                    values[(c * size + y) * size + x] = (float)Math.Clamp(smooth + random.Next(-40, 41), 0, 255);
                }
        return values;
    }

    [Theory]
    [InlineData(224)]
    [InlineData(96)]
    [InlineData(64)]
    public void Features_equal_OnnxRuntime_on_the_featurizers_own_graphs(int size)
    {
        var files = Package();
        var rgb = Image(size, seed: size);
        var expected = OnnxRuntimeReference.Features(files, rgb, size);

        using var scope = NewDisposeScope();
        using var backbone = new ResNetBackbone("resnet18-imagenet");
        Backbones.Find("resnet18-imagenet").LoadImageNet!(backbone);
        backbone.eval();
        // Our preprocessing, as for every backbone: RGB in [0, 1], ImageNet mean/std normalisation.
        var input = ImageNetNormalization.Normalize(tensor(rgb, [1, 3, size, size]) / 255f);
        float[] actual;
        using (no_grad()) actual = backbone.call(input).Representation.data<float>().ToArray();

        Assert.Equal(512, expected.Length);
        Assert.Equal(512, actual.Length);
        var scale = expected.Max(Math.Abs);
        var maxError = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        _output.WriteLine($"{size} px: max |ours - ONNX Runtime| = {maxError:E2}, max |ONNX Runtime| = {scale:F3}, relative {maxError / scale:E2}");
        Assert.True(scale > 0.1, $"the reference features are all near zero (max {scale})");
        Assert.True(maxError / scale <= 1e-4, $"max |ours - ONNX Runtime| / max |ONNX Runtime| = {maxError / scale:E2} at {size} px");
    }

    [Fact]
    public void The_graph_read_by_structure_is_the_described_network()
    {
        var weights = OnnxResNetWeights.Read(Package().Network);
        Assert.Equal([2, 2, 2, 3], weights.BlocksPerStage);
        // Projection shortcuts exactly where a stage changes.
        Assert.Equal([false, true, true, true], weights.Stages.Select(s => s[0].Projection is not null));
        Assert.All(weights.Stages.SelectMany(s => s.Skip(1)), b => Assert.Null(b.Projection));

        using var backbone = new ResNetBackbone("resnet18-imagenet");
        var parameters = backbone.parameters().Sum(p => p.numel());
        // torchvision ResNet-18 without fc (11,176,512) and a third layer4 block (two 512x512 3x3 convolutions, two BatchNorms).
        Assert.Equal(11_176_512 + 2 * (512 * 512 * 9) + 2 * 2 * 512, parameters);
        // The input adapter's constants come from the package: no parameters, no checkpoint keys.
        Assert.DoesNotContain(backbone.state_dict().Keys, k => k.StartsWith("input_adapter", StringComparison.Ordinal));
        Assert.Contains("layer4.2.bn2.running_var", backbone.state_dict().Keys);
    }

    [Fact]
    public void Loading_changes_every_weight_and_statistic_from_its_random_start()
    {
        using var backbone = new ResNetBackbone("resnet18-imagenet");
        var before = backbone.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        Backbones.Find("resnet18-imagenet").LoadImageNet!(backbone);
        var unchanged = backbone.state_dict()
            .Where(kv => !kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .Where(kv => kv.Value.allclose(before[kv.Key], rtol: 0, atol: 0))
            .Select(kv => kv.Key).ToList();
        Assert.Empty(unchanged);
        foreach (var t in before.Values) t.Dispose();
    }

    [Fact]
    public void A_file_that_is_not_the_network_is_refused_by_name()
    {
        var files = Package();
        var e = Assert.Throws<InvalidDataException>(() => OnnxResNetWeights.Read(files.Preprocess));
        Assert.Contains("ResNetPreprocess.onnx", e.Message);
        Assert.Contains("is not a ResNet of BasicBlocks", e.Message);
        Assert.Throws<FileNotFoundException>(() => OnnxResNetWeights.Read(Path.Combine(Path.GetTempPath(), "no-such-network.onnx")));
    }

    [Fact]
    public void The_missing_package_message_names_the_package_and_what_to_do()
    {
        var message = MlNetResNetPackage.MissingMessage;
        Assert.Contains("Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1", message);
        Assert.Contains("dotnet restore", message);
        Assert.Contains(MlNetResNetPackage.EnvironmentVariable, message);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(225)]
    [InlineData(48)]
    public void Sizes_that_are_not_multiples_of_32_are_refused_clearly(int size)
    {
        var errors = new AlgorithmConfig { ImageSize = size }.Validate();
        var error = Assert.Single(errors);
        Assert.Equal(nameof(AlgorithmConfig.ImageSize), error.Field);
        Assert.Contains("multiple of 32", error.Message);

        using var scope = NewDisposeScope();
        using var backbone = new ResNetBackbone("resnet18-imagenet");
        var e = Assert.Throws<ArgumentException>(() => backbone.call(zeros(1, 3, size, size)));
        Assert.Contains("multiples of 32", e.Message);
    }
}
