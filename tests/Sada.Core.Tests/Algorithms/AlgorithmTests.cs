using Sada.Core.Algorithms;
using Sada.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Algorithms;

public class AlgorithmTests
{
    public AlgorithmTests() => Assert.True(TorchRuntime.Initialize("cpu", 1).Loaded);

    internal static AlgorithmConfig Tiny(string algorithm) => new()
    {
        Algorithm = algorithm,
        Backbone = "resnet18", Init = BackboneInit.Scratch,
        ImageSize = 32,
        BatchPerCenter = 4,
        K = 3,
        Steps = 4,
        Stage1Steps = 2,
        LearningRate = 1e-3,
    };

    internal static IAlgorithm Create(AlgorithmConfig config, RepeatedViews? views = null, NormalizeOnly? plain = null)
    {
        manual_seed(0);
        return AlgorithmRegistry.Create(config, TinyBatch.Classes, CPU, views ?? new RepeatedViews(config.K), plain ?? new NormalizeOnly());
    }

    internal static Dictionary<string, Tensor> Snapshot(IAlgorithm algorithm) =>
        algorithm.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

    internal static bool Changed(IAlgorithm algorithm, Dictionary<string, Tensor> before, string name) =>
        !algorithm.Network.named_parameters().First(p => p.name == name).parameter.allclose(before[name], rtol: 0, atol: 0);

    [Theory]
    [InlineData("erm", new[] { "total", "ce" })]
    [InlineData("coral", new[] { "total", "ce", "coral" })]
    [InlineData("mixup", new[] { "total", "ce" })]
    [InlineData("selfreg", new[] { "total", "ce", "logit_reg", "feature_reg" })]
    [InlineData("mmd", new[] { "total", "ce", "mmd" })]
    public void Baseline_update_returns_finite_losses_and_moves_the_weights(string name, string[] keys)
    {
        using var scope = NewDisposeScope();
        var plain = new NormalizeOnly();
        using var algorithm = Create(Tiny(name), plain: plain);
        Assert.Equal(name, algorithm.Name);
        Assert.Equal(2, algorithm.StageAt(0));
        var before = Snapshot(algorithm);

        var losses = algorithm.Update(TinyBatch.Create(), 0);

        Assert.Equal(keys.Order(), losses.Keys.Order());
        Assert.All(losses.Values, v => Assert.True(double.IsFinite(v)));
        Assert.True(losses["total"] > 0);
        Assert.True(plain.Calls > 0, "the plain augmentation was not used");
        Assert.True(Changed(algorithm, before, "featurizer.conv1.weight"));
        Assert.True(Changed(algorithm, before, "classifier.weight"));
    }

    [Fact]
    public void Coral_total_is_ce_plus_weighted_penalty()
    {
        using var scope = NewDisposeScope();
        using var algorithm = Create(Tiny("coral") with { CoralWeight = 2.5 });
        var losses = algorithm.Update(TinyBatch.Create(), 0);
        Assert.Equal(losses["ce"] + 2.5 * losses["coral"], losses["total"], 4);
    }

    [Fact]
    public void Predict_and_features_have_the_right_shapes_and_leave_training_mode()
    {
        using var scope = NewDisposeScope();
        using var algorithm = Create(Tiny("erm"));
        algorithm.Network.train();
        var images = rand(5, 3, 32, 32);
        var logits = algorithm.Predict(images);
        var features = algorithm.Features(images);
        Assert.Equal([5L, TinyBatch.Classes], logits.shape);
        Assert.Equal([5L, 512], features.shape);
        Assert.False(logits.requires_grad);
        Assert.True(algorithm.Network.training);
        // Eval mode: the same images give the same logits.
        Assert.True(logits.allclose(algorithm.Predict(images)));
    }

    [Fact]
    public void Registry_knows_the_configs_algorithms_and_rejects_others()
    {
        Assert.Equal(AlgorithmConfig.Algorithms.Order(), AlgorithmRegistry.Names.Order());
        var e = Assert.Throws<ArgumentException>(() => Create(Tiny("no-such-method")));
        foreach (var known in AlgorithmConfig.Algorithms) Assert.Contains(known, e.Message);
        Assert.Contains("no-such-method", e.Message);
    }

    [Fact]
    public void Registry_builds_each_class()
    {
        using var sada = Create(Tiny("sada"));
        using var erm = Create(Tiny("erm"));
        using var coral = Create(Tiny("coral"));
        using var mixup = Create(Tiny("mixup"));
        Assert.IsType<SadaAlgorithm>(sada);
        Assert.IsType<Erm>(erm);
        Assert.IsType<Coral>(coral);
        Assert.IsType<Mixup>(mixup);
    }
}
