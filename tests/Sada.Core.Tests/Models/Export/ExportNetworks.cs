using Sada.Core.Algorithms;
using Sada.Core.Models;
using Sada.Core.Runtime;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Models.Export;

/// <summary>Untrained networks whose BatchNorms hold made-up statistics, stored as a run stores them, for export tests.</summary>
static class ExportNetworks
{
    public static AlgorithmConfig Config(string algorithm, string backbone, int size) =>
        new() { Algorithm = algorithm, Backbone = backbone, Init = BackboneInit.Scratch, ImageSize = size, Seed = 1 };

    /// <summary>
    /// A network of <paramref name="config"/> with random BatchNorm weights, biases and running statistics (not the 1, 0, 0, 1
    /// of a fresh one, so folding them is tested), saved to <paramref name="path"/> like best.weights.
    /// </summary>
    public static void Save(AlgorithmConfig config, int classes, string path, int seed)
    {
        TorchRuntime.Initialize("cpu", 1);
        using var network = GlobalRandom.Exclusive(() =>
        {
            manual_seed(seed);
            return AlgorithmRegistry.CreateNetwork(config, classes, CPU);
        });
        using (no_grad())
        {
            foreach (var bn in network.Featurizer.BatchNorms())
            {
                bn.weight!.uniform_(0.5, 1.5);
                bn.bias!.uniform_(-0.2, 0.2);
                bn.running_mean!.uniform_(-0.1, 0.1);
                bn.running_var!.uniform_(0.5, 2.0);
            }
        }
        network.save(path);
    }
}
