namespace Sada.Core.Models.ImageNet;

/// <summary>
/// What the featurizer's preprocessing ONNX does to an RGB 0-255 image: reorder the channels to BGR (a Split then a
/// Concat in reverse) and subtract a 3 x 224 x 224 mean image. Read by walking the graph, not by names.
/// </summary>
public static class MeanImage
{
    /// <summary>The mean image (BGR, 0-255) as (values, dims [1, 3, H, W]).</summary>
    /// <exception cref="InvalidDataException">The graph does something else.</exception>
    public static (float[] Values, long[] Dims) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX preprocessing not found: '{path}'.", path);
        var graph = OnnxGraph.Read(path);
        try
        {
            var split = graph.OnlyConsumer(graph.ImageInput, "Split");
            if (split.Output.Count != 3) throw new InvalidDataException("the Split does not give three channels");
            var concat = graph.ConsumersOf(split.Output[0]).Single();
            if (concat.OpType != "Concat" || !concat.Input.SequenceEqual([split.Output[2], split.Output[1], split.Output[0]]))
                throw new InvalidDataException("the channels are not concatenated in reverse (RGB to BGR)");
            var sub = graph.OnlyConsumer(concat.Output[0], "Sub");
            if (sub.Input[0] != concat.Output[0]) throw new InvalidDataException("the mean is not subtracted from the image");
            var (values, dims) = graph.Floats(sub.Input[1]);
            if (dims.Length != 4 || dims[0] != 1 || dims[1] != 3)
                throw new InvalidDataException($"the mean image has dims [{string.Join(", ", dims)}], not [1, 3, H, W]");
            return (values, dims);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith('\''))
        {
            throw new InvalidDataException($"'{path}' is not the featurizer's preprocessing: {e.Message}", e);
        }
    }
}
