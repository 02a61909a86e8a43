using Sada.Core.Models.ImageNet;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Models;

/// <summary>One backbone the workbench can train: its config name, what tables print, and its trunk.</summary>
/// <param name="Name">The config, CLI and API name.</param>
/// <param name="Title">What the pages and tables print.</param>
/// <param name="FeatureDim">Channels of layer4's feature map, the width of the representation.</param>
/// <param name="BuildTrunk">A network with torchvision's child names (conv1, bn1, relu, maxpool, layer1 to layer4).</param>
public sealed record BackboneDescriptor(string Name, string Title, int FeatureDim, Func<nn.Module> BuildTrunk)
{
    /// <summary>What the form and docs say about it.</summary>
    public string Description { get; init; } = "";
    /// <summary>Loads the ImageNet weights that come with the workbench; null: ImageNet weights only from a Weights file.</summary>
    public Action<ResNetBackbone>? LoadImageNet { get; init; }
    /// <summary>A fixed transform in front of conv1 (not trained, not in checkpoints); null: none.</summary>
    public Func<nn.Module<Tensor, Tensor>>? BuildInputAdapter { get; init; }
    /// <summary>Image sides must be a multiple of this (1: any size).</summary>
    public int SizeMultiple { get; init; } = 1;
    /// <summary>Why <see cref="SizeMultiple"/>, for the message that refuses another size.</summary>
    public string SizeReason { get; init; } = "";

    public bool HasBuiltInImageNet => LoadImageNet is not null;
}

/// <summary>The one list of backbones; the config's validation, the CLI, the form and the network all read it.</summary>
public static class Backbones
{
    /// <summary>Blocks per stage of the ML.NET featurizer's ResNet, as its ONNX graph has them.</summary>
    public static readonly int[] MlNetBlocks = [2, 2, 2, 3];

    public static readonly IReadOnlyList<BackboneDescriptor> All =
    [
        new("resnet18", "ResNet-18", 512, () => torchvision.models.resnet18()),
        new("resnet50", "ResNet-50", 2048, () => torchvision.models.resnet50()),
        new("resnet18-imagenet", "ResNet-18 ImageNet (ML.NET)", 512, () => new BasicBlockResNet(MlNetBlocks))
        {
            Description = "The ML.NET featurizer's ImageNet ResNet (NuGet " + MlNetResNetPackage.PackageId + "): ResNet-18 with a third " +
                          "block in layer4 ([2, 2, 2, 3] BasicBlocks, 15.9 M parameters); ImageNet weights built in.",
            LoadImageNet = backbone => OnnxResNetWeights.Read(MlNetResNetPackage.Find().Network).CopyInto(backbone, MlNetBlocks),
            BuildInputAdapter = () => ImageNetInputAdapter.FromPackage(MlNetResNetPackage.Find()),
            // The ONNX graph pads its stride-2 convolutions and max-pool asymmetrically (more at the start); ours pad
            // symmetrically, which picks the same windows only when every stride-2 layer sees an even size.
            SizeMultiple = 32,
            SizeReason = "its ONNX network pads its five stride-2 layers asymmetrically, which matches ours only when each sees an even size",
        },
    ];


    public static IReadOnlyList<string> Names { get; } = All.Select(b => b.Name).ToArray();

    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static BackboneDescriptor Find(string name) =>
        All.FirstOrDefault(b => b.Name == name)
        ?? throw new ArgumentException($"Unknown backbone '{name}': use one of {string.Join(", ", Names)}.", nameof(name));

    /// <summary>ImageNet for a backbone whose weights come built in, else from scratch: a start that needs no file.</summary>
    public static Algorithms.BackboneInit DefaultInit(string name) =>
        Find(name).HasBuiltInImageNet ? Algorithms.BackboneInit.ImageNet : Algorithms.BackboneInit.Scratch;
}
