using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Models;

/// <summary>One backbone the workbench can train: its config name, what tables print, and its trunk.</summary>
/// <param name="Name">The config, CLI and API name.</param>
/// <param name="Title">What the pages and tables print.</param>
/// <param name="FeatureDim">Channels of layer4's feature map, the width of the representation.</param>
/// <param name="BuildTrunk">A network with torchvision's child names (conv1, bn1, relu, maxpool, layer1 to layer4).</param>
public sealed record BackboneDescriptor(string Name, string Title, int FeatureDim, Func<nn.Module> BuildTrunk);

/// <summary>The one list of backbones; the config's validation, the CLI, the form and the network all read it.</summary>
public static class Backbones
{
    public static readonly IReadOnlyList<BackboneDescriptor> All =
    [
        new("resnet18", "ResNet-18", 512, () => torchvision.models.resnet18()),
        new("resnet50", "ResNet-50", 2048, () => torchvision.models.resnet50()),
    ];

    public static IReadOnlyList<string> Names { get; } = All.Select(b => b.Name).ToArray();

    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static BackboneDescriptor Find(string name) =>
        All.FirstOrDefault(b => b.Name == name)
        ?? throw new ArgumentException($"Unknown backbone '{name}': use one of {string.Join(", ", Names)}.", nameof(name));
}
