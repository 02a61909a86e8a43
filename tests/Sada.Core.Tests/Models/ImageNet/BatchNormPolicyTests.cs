using Sada.Core.Algorithms;
using Sada.Core.Models;
using Sada.Core.Runtime;
using Sada.Core.Tests.Training;
using Sada.Core.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Models.ImageNet;

public class BatchNormPolicyTests
{
    public BatchNormPolicyTests() => Assert.True(TorchRuntime.Initialize("cpu", 1).Loaded);

    static Dictionary<string, float[]> Statistics(nn.Module network) =>
        network.state_dict().Where(kv => kv.Key.Contains("running_"))
            .ToDictionary(kv => kv.Key, kv => kv.Value.data<float>().ToArray());

    [Theory]
    [InlineData(BackboneInit.ImageNet, BatchNormPolicy.Auto, true)]
    [InlineData(BackboneInit.Scratch, BatchNormPolicy.Auto, false)]
    [InlineData(BackboneInit.ImageNet, BatchNormPolicy.Never, false)]
    [InlineData(BackboneInit.Scratch, BatchNormPolicy.Always, true)]
    [InlineData(BackboneInit.ImageNet, BatchNormPolicy.Always, true)]
    [InlineData(BackboneInit.Scratch, BatchNormPolicy.Never, false)]
    public void The_policy_decides_whether_running_statistics_move_in_train_mode(BackboneInit init, BatchNormPolicy policy, bool frozen)
    {
        var config = new AlgorithmConfig { Algorithm = "erm", Init = init, FreezeBatchNorm = policy, ImageSize = 32 };
        Assert.Equal(frozen, config.FreezesBatchNorm);
        using var network = CellNetwork.Create(config, 3, CPU, withLaHead: false, withProjector: false);
        network.train();
        Assert.All(network.Featurizer.BatchNorms(), bn => Assert.Equal(!frozen, bn.training));

        var before = Statistics(network);
        using (var scope = NewDisposeScope())
        {
            var logits = network.call(randn(4, 3, 32, 32));
            nn.functional.cross_entropy(logits, tensor(new long[] { 0, 1, 2, 0 })).backward();
        }
        var after = Statistics(network);
        var moved = after.Keys.Count(k => !after[k].SequenceEqual(before[k]));
        if (frozen) Assert.Equal(0, moved);
        else Assert.Equal(after.Count, moved);
    }

    [Fact]
    public void Every_config_stores_its_policy_and_old_configs_keep_what_they_ran_with()
    {
        var json = new AlgorithmConfig { FreezeBatchNorm = BatchNormPolicy.Never }.ToJson();
        Assert.Contains("\"freezeBatchNorm\":\"never\"", json);
        Assert.Contains("\"init\":\"imageNet\"", json);
        Assert.Equal(BatchNormPolicy.Never, AlgorithmConfig.FromJson(json).FreezeBatchNorm);
        Assert.Equal(BatchNormPolicy.Auto, new AlgorithmConfig().FreezeBatchNorm);

        // Stored before the policy and the initialisation existed: BatchNorm was always frozen, and ImageNet meant a file.
        var old = AlgorithmConfig.FromJson("{\"algorithm\":\"sada\",\"backbone\":\"resnet50\",\"imageSize\":224}");
        Assert.Equal(BatchNormPolicy.Always, old.FreezeBatchNorm);
        Assert.Equal(BackboneInit.Scratch, old.Init);
        Assert.Empty(old.Validate());
    }

    [Fact]
    public void A_short_training_from_ImageNet_leaves_every_BatchNorm_statistic_as_the_package_has_it()
    {
        using var folder = new TinyImageFolder(centers: 3, perClass: 4, size: 32);
        var config = new AlgorithmConfig
        {
            Algorithm = "erm", ImageSize = 32, BatchPerCenter = 4, Steps = 3, Stage1Steps = 0, EvalEvery = 2, Seed = 1,
        };
        Assert.Equal(("resnet18-imagenet", BackboneInit.ImageNet, BatchNormPolicy.Auto), (config.Backbone, config.Init, config.FreezeBatchNorm));
        IAlgorithm? algorithm = null;
        Dictionary<string, float[]>? end = null;
        var progress = new Snapshots(e =>
        {
            if (e is TrainingProgress p && algorithm is not null)
            {
                if (p.Step == p.TotalSteps - 1) end = Statistics(algorithm.Network);
            }
        });
        var result = new Trainer(folder.Dataset, "center2", config, n => algorithm = AlgorithmRegistry.Create(config, n, CPU), CPU,
            new TrainerOptions { ProgressInterval = TimeSpan.Zero }, progress).Run();
        Assert.Equal(2, result.Evaluations[^1].Step);

        using var reference = new ResNetBackbone("resnet18-imagenet");
        Backbones.Find("resnet18-imagenet").LoadImageNet!(reference);
        var package = Statistics(reference);
        Assert.NotNull(end);
        Assert.Equal(package.Count, end!.Keys.Count(k => k.StartsWith("featurizer.", StringComparison.Ordinal)));
        foreach (var (key, values) in package)
            Assert.Equal(values, end["featurizer." + key]);
    }

    sealed class Snapshots(Action<TrainingEvent> on) : IProgress<TrainingEvent>
    {
        public void Report(TrainingEvent value) => on(value);
    }
}
