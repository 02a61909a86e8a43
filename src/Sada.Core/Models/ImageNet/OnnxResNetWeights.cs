using Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sada.Core.Models.ImageNet;

/// <summary>A convolution of the ONNX graph and the BatchNorm that follows it.</summary>
public sealed record OnnxConvBn(NodeProto Conv, NodeProto BatchNorm);

/// <summary>One residual block found in the graph: main path conv1/bn1, conv2/bn2, and the projection shortcut if any.</summary>
public sealed record OnnxBlock(OnnxConvBn First, OnnxConvBn Second, OnnxConvBn? Projection);

/// <summary>
/// The ImageNet weights of the ML.NET featurizer's ResNet, found by walking its ONNX graph from the image input
/// (stem conv, BatchNorm, ReLU, max-pool, then residual blocks up to the final pooling) and mapped onto our modules
/// by position in that structure, never by the exporter's tensor names.
/// </summary>
public sealed class OnnxResNetWeights
{
    public OnnxGraph Graph { get; }
    public OnnxConvBn Stem { get; }
    /// <summary>Blocks per stage; a block with a projection shortcut starts a new stage.</summary>
    public IReadOnlyList<IReadOnlyList<OnnxBlock>> Stages { get; }
    /// <summary>The op that pools layer4's map into the features (AveragePool or GlobalAveragePool).</summary>
    public NodeProto Pool { get; }

    OnnxResNetWeights(OnnxGraph graph)
    {
        Graph = graph;
        var x = graph.ImageInput;
        var stemConv = graph.OnlyConsumer(x, "Conv");
        var stemBn = graph.OnlyConsumer(stemConv.Output[0], "BatchNormalization");
        var stemRelu = graph.OnlyConsumer(stemBn.Output[0], "Relu");
        var maxPool = graph.OnlyConsumer(stemRelu.Output[0], "MaxPool");
        Stem = new OnnxConvBn(stemConv, stemBn);
        x = maxPool.Output[0];

        var stages = new List<List<OnnxBlock>>();
        while (true)
        {
            var consumers = graph.ConsumersOf(x);
            if (consumers.Count == 1 && consumers[0].OpType is "AveragePool" or "GlobalAveragePool")
            {
                Pool = consumers[0];
                break;
            }
            var convs = consumers.Where(c => c.OpType == "Conv").ToList();
            var others = consumers.Where(c => c.OpType != "Conv").Select(c => c.OpType).ToList();
            var (block, output) = ReadBlock(graph, x, convs, others);
            if (block.Projection is not null || stages.Count == 0) stages.Add([]);
            stages[^1].Add(block);
            x = output;
        }
        Stages = stages;
    }

    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a ResNet of BasicBlocks as this reader knows it.</exception>
    public static OnnxResNetWeights Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX network not found: '{path}'.", path);
        var graph = OnnxGraph.Read(path);
        try { return new OnnxResNetWeights(graph); }
        catch (InvalidDataException e) { throw new InvalidDataException($"'{path}' is not a ResNet of BasicBlocks: {e.Message}", e); }
    }

    static (OnnxBlock Block, string Output) ReadBlock(OnnxGraph graph, string x, List<NodeProto> convs, List<string> others)
    {
        // An identity block reads x in its first convolution and in the residual Add; a projection block in two convolutions.
        var identity = convs.Count == 1 && others.SequenceEqual(["Add"]);
        var projecting = convs.Count == 2 && others.Count == 0;
        if (!identity && !projecting)
            throw new InvalidDataException(
                $"after '{x}' expected a convolution and the residual Add (identity block) or two convolutions (projection block), found {string.Join(", ", convs.Select(c => c.OpType).Concat(others))}");
        NodeProto main = convs[0];
        NodeProto? projection = null;
        if (convs.Count == 2)
        {
            // The projection is the 1x1 convolution; the main path starts with the 3x3 one.
            var oneByOne = convs.Where(c => OnnxGraph.Ints(c, "kernel_shape").SequenceEqual([1L, 1L])).ToList();
            if (oneByOne.Count != 1) throw new InvalidDataException($"a block at '{x}' has two convolutions but not one 1x1 projection");
            projection = oneByOne[0];
            main = convs.Single(c => c != projection);
        }
        var bn1 = graph.OnlyConsumer(main.Output[0], "BatchNormalization");
        var relu1 = graph.OnlyConsumer(bn1.Output[0], "Relu");
        var conv2 = graph.OnlyConsumer(relu1.Output[0], "Conv");
        var bn2 = graph.OnlyConsumer(conv2.Output[0], "BatchNormalization");
        var add = graph.OnlyConsumer(bn2.Output[0], "Add");
        OnnxConvBn? shortcut = null;
        var expectedShortcut = x;
        if (projection is not null)
        {
            var projectionBn = graph.OnlyConsumer(projection.Output[0], "BatchNormalization");
            shortcut = new OnnxConvBn(projection, projectionBn);
            expectedShortcut = projectionBn.Output[0];
        }
        var addends = add.Input.Where(i => i != bn2.Output[0]).ToList();
        if (addends.Count != 1) throw new InvalidDataException($"the residual sum '{add.Output[0]}' does not add two tensors");
        var other = addends[0];
        if (other != expectedShortcut)
            throw new InvalidDataException($"the residual sum '{add.Output[0]}' adds '{other}', not the block's shortcut '{expectedShortcut}'");
        var relu = graph.OnlyConsumer(add.Output[0], "Relu");
        return (new OnnxBlock(new OnnxConvBn(main, bn1), new OnnxConvBn(conv2, bn2), shortcut), relu.Output[0]);
    }

    /// <summary>Blocks per stage as found in the graph.</summary>
    public IReadOnlyList<int> BlocksPerStage => Stages.Select(s => s.Count).ToArray();

    /// <summary>
    /// Copies every convolution and BatchNorm (weights, biases, running statistics) into <paramref name="module"/>,
    /// whose modules carry torchvision's names (conv1, bn1, layer1.0.conv1, layer2.0.downsample.0, ...).
    /// </summary>
    /// <exception cref="InvalidDataException">The graph's structure or a shape differs from the module's.</exception>
    public void CopyInto(nn.Module module, IReadOnlyList<int> expectedBlocks)
    {
        if (!BlocksPerStage.SequenceEqual(expectedBlocks))
            throw new InvalidDataException(
                $"the ONNX network has [{string.Join(", ", BlocksPerStage)}] blocks per stage, the backbone [{string.Join(", ", expectedBlocks)}]");
        var modules = module.named_modules().ToDictionary(m => m.name, m => m.module);
        using var _ = no_grad();
        Copy(modules, "conv1", "bn1", Stem);
        for (var s = 0; s < Stages.Count; s++)
            for (var b = 0; b < Stages[s].Count; b++)
            {
                var prefix = $"layer{s + 1}.{b}.";
                var block = Stages[s][b];
                Copy(modules, prefix + "conv1", prefix + "bn1", block.First);
                Copy(modules, prefix + "conv2", prefix + "bn2", block.Second);
                if (block.Projection is { } p) Copy(modules, prefix + "downsample.0", prefix + "downsample.1", p);
                else if (modules.ContainsKey(prefix + "downsample.0"))
                    throw new InvalidDataException($"block {prefix.TrimEnd('.')} has a projection in the backbone but not in the ONNX network");
            }
    }

    void Copy(Dictionary<string, nn.Module> modules, string convName, string bnName, OnnxConvBn source)
    {
        var conv = modules.GetValueOrDefault(convName) as Conv2d
            ?? throw new InvalidDataException($"the backbone has no convolution '{convName}' where the ONNX network has one");
        var bn = modules.GetValueOrDefault(bnName) as BatchNorm2d
            ?? throw new InvalidDataException($"the backbone has no BatchNorm '{bnName}' where the ONNX network has one");
        if (source.Conv.Input.Count > 2)
            throw new InvalidDataException($"convolution '{convName}' has a bias in the ONNX network; the backbone's has none");
        var epsilon = OnnxGraph.FloatAttribute(source.BatchNorm, "epsilon") ?? 1e-5f;
        if (Math.Abs(epsilon - bn.eps) > 1e-9)
            throw new InvalidDataException($"BatchNorm '{bnName}' has epsilon {epsilon} in the ONNX network, {bn.eps} in the backbone");
        Set(conv.weight!, source.Conv.Input[1], convName + ".weight");
        Set(bn.weight!, source.BatchNorm.Input[1], bnName + ".weight");
        Set(bn.bias!, source.BatchNorm.Input[2], bnName + ".bias");
        Set(bn.running_mean!, source.BatchNorm.Input[3], bnName + ".running_mean");
        Set(bn.running_var!, source.BatchNorm.Input[4], bnName + ".running_var");
    }

    void Set(Tensor target, string initializer, string what)
    {
        var (values, dims) = Graph.Floats(initializer);
        if (!dims.SequenceEqual(target.shape))
            throw new InvalidDataException($"{what} is [{string.Join(", ", target.shape)}] in the backbone but [{string.Join(", ", dims)}] in the ONNX network");
        using var source = tensor(values, dims, dtype: target.dtype, device: target.device);
        target.copy_(source);
    }
}
