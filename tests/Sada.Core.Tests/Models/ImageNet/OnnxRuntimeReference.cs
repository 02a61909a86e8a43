using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using Sada.Core.Models.ImageNet;

namespace Sada.Core.Tests.Models.ImageNet;

/// <summary>
/// The featurizer's 512 features by ONNX Runtime: ResNetPreprocess.onnx then ResNet18.onnx on an RGB 0-255 image.
/// Both graphs are fixed at 224 px (a 224 x 224 mean image, a 7 x 7 final pool). At 224 they run untouched; at another
/// size the reference frees the input size, pools globally, and resizes the mean image inside ONNX Runtime with a
/// Resize node (linear, half-pixel), the documented rule the backbone's input adapter follows.
/// </summary>
public static class OnnxRuntimeReference
{
    public static float[] Features(MlNetResNetPackage.Files files, float[] rgb0to255, int size)
    {
        var preprocess = ModelProto.Parser.ParseFrom(File.ReadAllBytes(files.Preprocess));
        var network = ModelProto.Parser.ParseFrom(File.ReadAllBytes(files.Network));
        if (size != 224)
        {
            ResizeMeanImage(preprocess, size);
            FreeInputSize(network, size);
        }
        using var prep = new InferenceSession(preprocess.ToByteArray());
        using var net = new InferenceSession(network.ToByteArray());
        var image = new DenseTensor<float>(rgb0to255, [1, 3, size, size]);
        using var prepared = prep.Run([NamedOnnxValue.CreateFromTensor(prep.InputMetadata.Keys.Single(), image)]);
        var bgr = prepared.Single().AsTensor<float>().ToDenseTensor();
        using var features = net.Run([NamedOnnxValue.CreateFromTensor(net.InputMetadata.Keys.Single(), bgr)]);
        return features.Single().AsEnumerable<float>().ToArray();
    }

    static void SetSpatialDims(ValueInfoProto value, int size)
    {
        var dims = value.Type.TensorType.Shape.Dim;
        dims[2].DimValue = size;
        dims[3].DimValue = size;
    }

    static void ResizeMeanImage(ModelProto model, int size)
    {
        var graph = model.Graph;
        model.OpsetImport.Single(o => o.Domain == "").Version = 11; // Resize needs opset 11; Split, Concat and Sub are unchanged.
        var sub = graph.Node.Single(n => n.OpType == "Sub");
        var mean = sub.Input[1];
        graph.Initializer.Add(new TensorProto { Name = "resize_roi", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 0 } });
        graph.Initializer.Add(new TensorProto { Name = "resize_scales", DataType = (int)TensorProto.Types.DataType.Float, Dims = { 0 } });
        graph.Initializer.Add(new TensorProto { Name = "resize_sizes", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 4 }, Int64Data = { 1, 3, size, size } });
        graph.Node.Insert(0, new NodeProto
        {
            OpType = "Resize", Name = "resize_mean",
            Input = { mean, "resize_roi", "resize_scales", "resize_sizes" },
            Output = { "mean_resized" },
            Attribute =
            {
                new AttributeProto { Name = "mode", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("linear") },
                new AttributeProto { Name = "coordinate_transformation_mode", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("half_pixel") },
            },
        });
        sub.Input[1] = "mean_resized";
        graph.ValueInfo.Clear();
        SetSpatialDims(graph.Input.Single(i => i.Name != mean), size);
        SetSpatialDims(graph.Output.Single(), size);
    }

    static void FreeInputSize(ModelProto model, int size)
    {
        var graph = model.Graph;
        SetSpatialDims(graph.Input.Single(), size);
        graph.ValueInfo.Clear();
        var pool = graph.Node.Single(n => n.OpType == "AveragePool");
        pool.OpType = "GlobalAveragePool";
        pool.Attribute.Clear();
    }
}
