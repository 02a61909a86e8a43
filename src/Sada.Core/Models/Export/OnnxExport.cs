using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Onnx;
using Sada.Core.Augmentation;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sada.Core.Models.Export;

/// <summary>
/// A trained classifier (backbone + linear classifier) as an ONNX model, written with OnnxSharp's generated protobuf types.
/// Input <see cref="InputName"/>: float [N, 3, H, W], RGB in [0, 1] resized to the run's image size (bilinear with
/// antialiasing, as the workbench's evaluation) and normalised with ImageNet's mean and std
/// (<see cref="ImageNetNormalization"/>); output <see cref="OutputName"/>: float [N, K] class probabilities (softmax). The
/// class names, in output order, are the model's metadata <see cref="ClassesKey"/> (a JSON array). Every BatchNorm (eval
/// mode: running statistics) is folded into the convolution before it, so the graph holds only Conv, Relu, MaxPool, Add,
/// GlobalAveragePool, Flatten, Gemm and Softmax (plus Mul, Gather and Add for the ML.NET ImageNet backbone's input adapter).
/// </summary>
public static class OnnxExport
{
    public const string InputName = "image";
    public const string OutputName = "probabilities";
    /// <summary>Metadata key of the class names, a JSON array in the output's order.</summary>
    public const string ClassesKey = "classes";
    public const int Opset = 17;

    /// <summary>What the file says about itself besides the weights: the run, the backbone, the input size.</summary>
    public sealed record Description(string Backbone, int ImageSize, IReadOnlyList<string> Classes)
    {
        /// <summary>Free-form metadata added to the model's metadata_props (run id, checkpoint, step...).</summary>
        public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();
    }

    /// <summary>The model for <paramref name="network"/> (in eval mode or not: BatchNorm uses its running statistics).</summary>
    public static ModelProto Build(CellNetwork network, Description description)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(description);
        int classes = (int)network.Classifier.weight!.shape[0];
        if (description.Classes.Count != classes)
            throw new ArgumentException($"the network has {classes} outputs but {description.Classes.Count} class names were given", nameof(description));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var graph = new GraphBuilder(network.Featurizer.named_modules().ToDictionary(m => m.name, m => m.module));
        var adapter = graph.Module("input_adapter");
        string x = InputName;
        if (adapter is nn.Module<Tensor, Tensor> fixedTransform) x = graph.InputAdapter(x, fixedTransform, description.ImageSize);
        x = graph.ConvBn(x, "conv1", "bn1", relu: true);
        x = graph.MaxPool(x, "maxpool");
        for (int layer = 1; layer <= 4; layer++)
            for (int block = 0; graph.Module($"layer{layer}.{block}") is not null; block++)
                x = graph.Block(x, $"layer{layer}.{block}");
        x = graph.Node("GlobalAveragePool", [x]);
        x = graph.Node("Flatten", [x], Int("axis", 1));
        x = graph.Node("Gemm", [x, graph.Constant("fc.weight", network.Classifier.weight!), graph.Constant("fc.bias", network.Classifier.bias!)], Int("transB", 1));
        graph.Node("Softmax", [x], OutputName, Int("axis", 1));

        bool fixedSize = adapter is not null;
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "Sada Workbench",
            ProducerVersion = typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "",
            DocString = $"{description.Backbone} classifier of {classes} cell classes. Input '{InputName}': float [N, 3, H, W], RGB in [0, 1] " +
                        $"resized to {description.ImageSize} x {description.ImageSize}, then (x - mean) / std per channel with ImageNet's " +
                        $"mean {Floats(ImageNetNormalization.Mean)} and std {Floats(ImageNetNormalization.Std)}. Output '{OutputName}': " +
                        $"float [N, {classes}] softmax probabilities in the order of metadata '{ClassesKey}'.",
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = Opset } },
            Graph = new GraphProto
            {
                Name = "sada_classifier",
                Node = { graph.Nodes },
                Initializer = { graph.Initializers },
                Input = { Value(InputName, Dim("N"), Dim(3), fixedSize ? Dim(description.ImageSize) : Dim("H"), fixedSize ? Dim(description.ImageSize) : Dim("W")) },
                Output = { Value(OutputName, Dim("N"), Dim(classes)) },
            },
        };
        var props = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ClassesKey] = JsonSerializer.Serialize(description.Classes),
            ["backbone"] = description.Backbone,
            ["image_size"] = description.ImageSize.ToString(CultureInfo.InvariantCulture),
            ["input_range"] = "RGB in [0, 1], then ImageNet-normalised",
            ["normalization_mean"] = Floats(ImageNetNormalization.Mean),
            ["normalization_std"] = Floats(ImageNetNormalization.Std),
            ["resize"] = "bilinear with antialiasing (torchvision Resize on tensors), to image_size x image_size, no crop",
        };
        foreach (var (key, value) in description.Extra) props[key] = value;
        foreach (var (key, value) in props) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model;
    }

    /// <summary>The model's bytes (protobuf, as <c>.onnx</c> files hold).</summary>
    public static byte[] ToBytes(CellNetwork network, Description description) => Build(network, description).ToByteArray();

    static string Floats(IEnumerable<float> values) => "[" + string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    static AttributeProto Ints(string name, params long[] values) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { values } };

    static TensorShapeProto.Types.Dimension Dim(long value) => new() { DimValue = value };

    static TensorShapeProto.Types.Dimension Dim(string symbol) => new() { DimParam = symbol };

    static ValueInfoProto Value(string name, params TensorShapeProto.Types.Dimension[] dims) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto { Dim = { dims } } },
        },
    };

    /// <summary>Nodes and constants in the order they are made, with unique names.</summary>
    sealed class GraphBuilder(Dictionary<string, nn.Module> modules)
    {
        public List<NodeProto> Nodes { get; } = [];
        public List<TensorProto> Initializers { get; } = [];
        int _next;

        public nn.Module? Module(string name) => modules.GetValueOrDefault(name);

        T Require<T>(string name) where T : nn.Module =>
            Module(name) as T ?? throw new NotSupportedException($"the backbone has no {typeof(T).Name} '{name}' where torchvision's ResNet has one");

        public string Node(string op, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
            Node(op, inputs, $"{op.ToLowerInvariant()}_{_next}", attributes);

        public string Node(string op, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = op, Name = $"{op}_{_next++}", Input = { inputs }, Output = { output } };
            node.Attribute.Add(attributes);
            Nodes.Add(node);
            return output;
        }

        public string Constant(string name, Tensor value)
        {
            using var floats = value.detach().to(ScalarType.Float32).cpu().contiguous();
            Initializers.Add(new TensorProto
            {
                Name = name,
                DataType = (int)TensorProto.Types.DataType.Float,
                Dims = { floats.shape },
                FloatData = { floats.data<float>().ToArray() },
            });
            return name;
        }

        string Constant(string name, long[] dims, IEnumerable<long> values)
        {
            Initializers.Add(new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, Dims = { dims }, Int64Data = { values } });
            return name;
        }

        /// <summary>
        /// The ML.NET backbone's fixed input transform, f(x) = flip_channels(x * scale) + f(0) exactly (it is affine per pixel
        /// and channel), with f(0) evaluated at the exported size: so the input size is fixed to it.
        /// </summary>
        public string InputAdapter(string x, nn.Module<Tensor, Tensor> adapter, int size)
        {
            var scale = tensor(ImageNetNormalization.Std.Select(s => 255f * s).ToArray()).view(1, 3, 1, 1);
            var offset = adapter.call(zeros(1, 3, size, size));
            var flipped = Node("Gather", [Node("Mul", [x, Constant("input_adapter.scale", scale)]), Constant("input_adapter.bgr", [3], [2, 1, 0])], Int("axis", 1));
            return Node("Add", [flipped, Constant("input_adapter.offset", offset)]);
        }

        /// <summary>Convolution <paramref name="conv"/> with BatchNorm <paramref name="bn"/> folded in, then ReLU when asked.</summary>
        public string ConvBn(string x, string conv, string bn, bool relu)
        {
            var c = Require<Conv2d>(conv);
            var b = Require<BatchNorm2d>(bn);
            // y = gamma * (W * x + bias - mean) / sqrt(var + eps) + beta, computed in double, stored in float.
            var factor = (b.weight!.to(ScalarType.Float64) / (b.running_var!.to(ScalarType.Float64) + b.eps).sqrt());
            var weight = c.weight!.to(ScalarType.Float64) * factor.view(-1, 1, 1, 1);
            var bias = c.bias is null ? zeros_like(factor) : c.bias.to(ScalarType.Float64);
            var shift = b.bias!.to(ScalarType.Float64) + (bias - b.running_mean!.to(ScalarType.Float64)) * factor;
            if (c.groups != 1) throw new NotSupportedException($"{conv} is a grouped convolution, which the exporter does not write");
            var kernel = c.weight.shape[2..];
            var stride = c.stride ?? [1, 1];
            var padding = c.padding ?? [0, 0];
            var dilation = c.dilation ?? [1, 1];
            var y = Node("Conv", [x, Constant(conv + ".weight", weight), Constant(conv + ".bias", shift)],
                Ints("kernel_shape", kernel), Ints("strides", stride), Ints("pads", [.. padding, .. padding]), Ints("dilations", dilation));
            return relu ? Node("Relu", [y]) : y;
        }

        public string MaxPool(string x, string name)
        {
            var pool = Require<MaxPool2d>(name);
            long[] kernel = pool.kernel_size, stride = pool.stride ?? pool.kernel_size, padding = pool.padding ?? [0, 0];
            return Node("MaxPool", [x], Ints("kernel_shape", kernel), Ints("strides", stride), Ints("pads", [.. padding, .. padding]));
        }

        /// <summary>A BasicBlock (two 3x3) or Bottleneck (1x1, 3x3, 1x1), with its projection shortcut when it has one.</summary>
        public string Block(string x, string block)
        {
            bool bottleneck = Module(block + ".conv3") is not null;
            var y = ConvBn(x, block + ".conv1", block + ".bn1", relu: true);
            y = ConvBn(y, block + ".conv2", block + ".bn2", relu: bottleneck);
            if (bottleneck) y = ConvBn(y, block + ".conv3", block + ".bn3", relu: false);
            var shortcut = Module(block + ".downsample") is null ? x : ConvBn(x, block + ".downsample.0", block + ".downsample.1", relu: false);
            return Node("Relu", [Node("Add", [y, shortcut])]);
        }
    }
}
