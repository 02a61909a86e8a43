using Onnx;

namespace Sada.Core.Models.ImageNet;

/// <summary>An ONNX model's graph as a network of nodes: who produces and who consumes each tensor, and its initialisers.</summary>
public sealed class OnnxGraph
{
    readonly Dictionary<string, TensorProto> _initializers;
    readonly Dictionary<string, List<NodeProto>> _consumers = [];

    public GraphProto Graph { get; }

    public OnnxGraph(ModelProto model)
    {
        Graph = model.Graph ?? throw new InvalidDataException("the ONNX model has no graph");
        _initializers = Graph.Initializer.ToDictionary(t => t.Name);
        foreach (var node in Graph.Node)
            foreach (var input in node.Input)
            {
                if (!_consumers.TryGetValue(input, out var list)) _consumers[input] = list = [];
                list.Add(node);
            }
    }

    /// <exception cref="InvalidDataException">The file is not an ONNX model.</exception>
    public static OnnxGraph Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return new OnnxGraph(ModelProto.Parser.ParseFrom(stream));
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"'{path}' is not a readable ONNX model: {e.Message}", e);
        }
    }

    /// <summary>The one graph input that is not an initialiser: the image.</summary>
    public string ImageInput
    {
        get
        {
            var inputs = Graph.Input.Select(i => i.Name).Where(n => !_initializers.ContainsKey(n)).ToList();
            return inputs.Count == 1 ? inputs[0] : throw new InvalidDataException($"expected one image input, found {inputs.Count}");
        }
    }

    public IReadOnlyList<NodeProto> ConsumersOf(string tensor) => _consumers.TryGetValue(tensor, out var l) ? l : [];

    /// <summary>The one node that reads <paramref name="tensor"/>, which must be a <paramref name="opType"/>.</summary>
    public NodeProto OnlyConsumer(string tensor, string opType)
    {
        var consumers = ConsumersOf(tensor);
        return consumers.Count == 1 && consumers[0].OpType == opType
            ? consumers[0]
            : throw new InvalidDataException($"expected one {opType} after '{tensor}', found {(consumers.Count == 0 ? "none" : string.Join(", ", consumers.Select(c => c.OpType)))}");
    }

    public TensorProto Initializer(string name) =>
        _initializers.TryGetValue(name, out var t) ? t : throw new InvalidDataException($"'{name}' is not a constant of the graph");

    /// <summary>A float initialiser's values and dims, whether stored as float_data or raw little-endian bytes.</summary>
    public (float[] Values, long[] Dims) Floats(string name)
    {
        var t = Initializer(name);
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
            throw new InvalidDataException($"constant '{name}' is of ONNX type {t.DataType}, not float");
        var values = t.FloatData.Count > 0
            ? t.FloatData.ToArray()
            : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();
        var dims = t.Dims.ToArray();
        if (values.LongLength != dims.Aggregate(1L, (a, b) => a * b))
            throw new InvalidDataException($"constant '{name}' holds {values.Length} values for dims [{string.Join(", ", dims)}]");
        return (values, dims);
    }

    public static IReadOnlyList<long> Ints(NodeProto node, string attribute) =>
        node.Attribute.FirstOrDefault(a => a.Name == attribute)?.Ints.ToArray() ?? [];

    public static float? FloatAttribute(NodeProto node, string attribute) =>
        node.Attribute.FirstOrDefault(a => a.Name == attribute) is { } a ? a.F : null;
}
