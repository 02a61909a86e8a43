using System.Text.Json;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using Sada.Core.Augmentation;
using Sada.Core.Imaging;
using Sada.Core.Inference;
using Sada.Core.Models.Export;
using Sada.Core.Tests.Inference;
using Sada.Core.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Models.Export;

/// <summary>
/// The exported ONNX model run in ONNX Runtime gives the workbench's own prediction (<see cref="CellClassifier"/>, which
/// Predict and the review use) on the same cells: the same class probabilities, at most 1e-4 apart.
/// </summary>
public class OnnxExportTests(CellClassifierTests.TrainedRun run, ITestOutputHelper output) : IClassFixture<CellClassifierTests.TrainedRun>
{
    const double Tolerance = 1e-4;

    /// <summary>The workbench's input: EvalBatch (resize) then ImageNet normalisation, as the model's doc string says.</summary>
    static float[] Input(IReadOnlyList<DecodedImage> images, int size)
    {
        using var scope = NewDisposeScope();
        return ImageNetNormalization.Normalize(CellTransforms.EvalBatch(images, size)).data<float>().ToArray();
    }

    static float[] RunOnnx(byte[] model, float[] input, int n, int size)
    {
        using var session = new InferenceSession(model);
        Assert.Equal(OnnxExport.InputName, session.InputMetadata.Keys.Single());
        Assert.Equal(OnnxExport.OutputName, session.OutputMetadata.Keys.Single());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExport.InputName, new DenseTensor<float>(input, [n, 3, size, size]))]);
        return results.Single().AsEnumerable<float>().ToArray();
    }

    static double MaxDifference(IReadOnlyList<ClassProbabilities> expected, float[] actual, int classes)
    {
        Assert.Equal(expected.Count * classes, actual.Length);
        double max = 0;
        for (int i = 0; i < expected.Count; i++)
            for (int c = 0; c < classes; c++)
                max = Math.Max(max, Math.Abs(expected[i].Values[c] - actual[i * classes + c]));
        return max;
    }

    [Fact]
    public void A_trained_runs_model_gives_the_workbenchs_probabilities_in_OnnxRuntime()
    {
        var classes = run.Folder.Dataset.Classes;
        using var classifier = CellClassifier.Load(run.Config, classes, run.BestWeights, CPU);
        var images = run.HeldOut.Take(8).Select(s => CellImageDecoder.Decode(s.Path)).ToList();
        var expected = classifier.Classify(images);

        using var network = TrainedNetwork.Load(run.Config, classes.Count, run.BestWeights, CPU);
        var bytes = OnnxExport.ToBytes(network, new OnnxExport.Description(run.Config.Backbone, run.Config.ImageSize, classes));
        var actual = RunOnnx(bytes, Input(images, run.Config.ImageSize), images.Count, run.Config.ImageSize);

        double max = MaxDifference(expected, actual, classes.Count);
        output.WriteLine($"resnet18 at {run.Config.ImageSize} px, {images.Count} held-out cells: max |p_onnx - p_workbench| = {max:E2}");
        Assert.InRange(max, 0, Tolerance);
    }

    [Fact]
    public void The_model_names_its_classes_input_and_normalisation_and_folds_every_BatchNorm()
    {
        var classes = run.Folder.Dataset.Classes;
        using var network = TrainedNetwork.Load(run.Config, classes.Count, run.BestWeights, CPU);
        var description = new OnnxExport.Description(run.Config.Backbone, run.Config.ImageSize, classes)
        {
            Extra = new Dictionary<string, string> { ["run"] = "12" },
        };
        var model = ModelProto.Parser.ParseFrom(OnnxExport.ToBytes(network, description));

        var props = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(classes, JsonSerializer.Deserialize<string[]>(props[OnnxExport.ClassesKey]));
        Assert.Equal("12", props["run"]);
        Assert.Equal("16", props["image_size"]);
        Assert.Equal("[0.485, 0.456, 0.406]", props["normalization_mean"]);
        Assert.Equal("[0.229, 0.224, 0.225]", props["normalization_std"]);
        Assert.Contains("ImageNet", model.DocString, StringComparison.Ordinal);
        Assert.Equal(OnnxExport.Opset, model.OpsetImport.Single().Version);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "BatchNormalization");
        Assert.Equal(20, model.Graph.Node.Count(n => n.OpType == "Conv")); // ResNet-18: conv1, 16 in the blocks, 3 projections
        Assert.Equal("Softmax", model.Graph.Node[^1].OpType);
        var input = model.Graph.Input.Single().Type.TensorType.Shape.Dim;
        Assert.Equal(["N", "", "H", "W"], input.Select(d => d.DimParam));
        Assert.Equal(3, input[1].DimValue);
    }

    [Theory]
    [InlineData("erm", "resnet50", 32)]
    [InlineData("sada", "resnet18", 24)]
    [InlineData("erm", "resnet18-imagenet", 32)]
    public void Other_backbones_and_BatchNorm_statistics_give_the_workbenchs_probabilities(string algorithm, string backbone, int size)
    {
        var config = ExportNetworks.Config(algorithm, backbone, size);
        string[] classes = ["a", "b", "c"];
        var path = Path.Combine(run.Directory, $"export-{algorithm}-{backbone}.weights");
        ExportNetworks.Save(config, classes.Length, path, seed: 5);
        using var classifier = CellClassifier.Load(config, classes, path, CPU);
        var images = run.HeldOut.Take(3).Select(s => CellImageDecoder.Decode(s.Path)).ToList();
        var expected = classifier.Classify(images);

        using var network = TrainedNetwork.Load(config, classes.Length, path, CPU);
        var bytes = OnnxExport.ToBytes(network, new OnnxExport.Description(backbone, size, classes));
        var actual = RunOnnx(bytes, Input(images, size), images.Count, size);

        double max = MaxDifference(expected, actual, classes.Length);
        output.WriteLine($"{algorithm} {backbone} at {size} px: max |p_onnx - p_workbench| = {max:E2}, model {bytes.Length:N0} bytes");
        Assert.InRange(max, 0, Tolerance);
    }

    [Fact]
    public void Class_names_must_match_the_networks_outputs()
    {
        using var network = TrainedNetwork.Load(run.Config, 2, run.BestWeights, CPU);
        var e = Assert.Throws<ArgumentException>(() => OnnxExport.Build(network, new OnnxExport.Description("resnet18", 16, ["a", "b", "c"])));
        Assert.Contains("2 outputs but 3 class names", e.Message, StringComparison.Ordinal);
    }
}
