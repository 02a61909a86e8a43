using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Sada.Core.Models.Export;
using Sada.Core.Runtime;
using Sada.Core.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Models.Export;

/// <summary>
/// The .safetensors download read back by hand (the format: 8-byte little-endian header length, a JSON header of dtype, shape
/// and data_offsets per tensor, then the raw little-endian data) and by PyBridge into torchvision's own ResNet.
/// </summary>
public class SafetensorsExportTests : IDisposable
{
    readonly string _directory = Path.Combine(Path.GetTempPath(), "sada-safetensors-" + Guid.NewGuid().ToString("N"));

    public SafetensorsExportTests()
    {
        TorchRuntime.Initialize("cpu", 1);
        Directory.CreateDirectory(_directory);
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }

    sealed record Entry(string Dtype, long[] Shape, long[] Offsets);

    static (Dictionary<string, Entry> Header, List<string> Order, byte[] Data) Parse(byte[] file)
    {
        long length = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(0, 8));
        var json = Encoding.UTF8.GetString(file, 8, (int)length);
        using var document = JsonDocument.Parse(json);
        var header = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var p in document.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__") continue;
            header[p.Name] = new Entry(p.Value.GetProperty("dtype").GetString()!,
                p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray());
            order.Add(p.Name);
        }
        return (header, order, file[(8 + (int)length)..]);
    }

    [Theory]
    [InlineData("erm", "resnet18")]
    [InlineData("sada", "resnet18")]
    [InlineData("erm", "resnet50")]
    public void The_file_holds_torchvisions_names_shapes_and_the_networks_values(string algorithm, string backbone)
    {
        var config = ExportNetworks.Config(algorithm, backbone, 32);
        var path = Path.Combine(_directory, "best.weights");
        ExportNetworks.Save(config, 3, path, seed: 2);
        using var network = TrainedNetwork.Load(config, 3, path, CPU);
        var (header, order, data) = Parse(SafetensorsExport.ToBytes(network));

        // torchvision's ResNet with 3 classes: exactly its state dict's keys and shapes.
        using var reference = backbone == "resnet18" ? torchvision.models.resnet18(num_classes: 3) : torchvision.models.resnet50(num_classes: 3);
        var expected = reference.state_dict();
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), header.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, tensor) in expected) Assert.True(tensor.shape.SequenceEqual(header[key].Shape), $"{key}: shape");
        Assert.Contains("layer1.0.conv1.weight", header.Keys);
        Assert.DoesNotContain(header.Keys, k => k.StartsWith("la_head", StringComparison.Ordinal) || k.StartsWith("projector", StringComparison.Ordinal));

        // Offsets tile the data in order; values equal the network's parameters and statistics bit for bit.
        long at = 0;
        var own = network.state_dict();
        foreach (var key in order)
        {
            var e = header[key];
            Assert.Equal(at, e.Offsets[0]);
            at = e.Offsets[1];
            var source = own[key == "fc.weight" ? "classifier.weight" : key == "fc.bias" ? "classifier.bias" : "featurizer." + key];
            var bytes = data[(int)e.Offsets[0]..(int)e.Offsets[1]];
            if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            {
                Assert.Equal("I64", e.Dtype);
                Assert.Equal(source.item<long>(), BitConverter.ToInt64(bytes));
            }
            else
            {
                Assert.Equal("F32", e.Dtype);
                Assert.Equal(source.data<float>().ToArray(), MemoryMarshalFloats(bytes));
            }
        }
        Assert.Equal(data.LongLength, at);
    }

    static float[] MemoryMarshalFloats(byte[] bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    [Fact]
    public void Torchvisions_resnet18_loads_it_strictly_and_predicts_as_the_network()
    {
        var config = ExportNetworks.Config("erm", "resnet18", 32);
        var weights = Path.Combine(_directory, "best.weights");
        ExportNetworks.Save(config, 4, weights, seed: 3);
        using var network = TrainedNetwork.Load(config, 4, weights, CPU);
        var file = Path.Combine(_directory, "model.safetensors");
        using (var stream = File.Create(file)) SafetensorsExport.Write(network, stream);

        using var resnet = torchvision.models.resnet18(num_classes: 4);
        resnet.load_safetensors(file, strict: true);
        resnet.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        manual_seed(9);
        var x = randn(2, 3, 32, 32);
        var max = (resnet.call(x) - network.call(x)).abs().max().item<float>();
        Assert.InRange(max, 0f, 1e-5f);
    }

    [Fact]
    public void The_last_checkpoint_holds_the_last_steps_network()
    {
        // A resumable checkpoint (last.ckpt) as the trainer writes it; its network is what TrainedNetwork reads back.
        var config = ExportNetworks.Config("erm", "resnet18", 32) with { Steps = 4 };
        using var algorithm = Sada.Core.Algorithms.AlgorithmRegistry.Create(config, 2, CPU);
        var last = Path.Combine(_directory, "last.ckpt");
        Checkpoint.Save(last, algorithm, new TrainerState(3, 2, 0.5, []));
        using var network = TrainedNetwork.Load(config, 2, last, CPU);
        var expected = algorithm.Network.state_dict();
        foreach (var (key, tensor) in network.state_dict()) Assert.True(tensor.allclose(expected[key], rtol: 0, atol: 0), key);

        File.WriteAllBytes(last, [1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => TrainedNetwork.Load(config, 2, last, CPU));
        Assert.Contains(last, e.Message, StringComparison.Ordinal);
    }
}
