using Sada.Core.Algorithms;
using Sada.Core.Runtime;
using TorchSharp;
using static Sada.Core.Tests.Algorithms.AlgorithmTests;
using static TorchSharp.torch;


namespace Sada.Core.Tests.Algorithms;

public class SadaTests
{
    public SadaTests() => Assert.True(TorchRuntime.Initialize("cpu", 1).Loaded);

    [Fact]
    public void Stage_switches_at_stage1_steps()
    {
        using var scope = NewDisposeScope();
        var views = new RepeatedViews(3);
        var plain = new NormalizeOnly();
        using var sada = Create(Tiny("sada"), views, plain);
        Assert.Equal(1, sada.StageAt(0));
        Assert.Equal(1, sada.StageAt(1));
        Assert.Equal(2, sada.StageAt(2));

        var before = Snapshot(sada);
        var stage1 = sada.Update(TinyBatch.Create(), 0);
        Assert.Equal(["contrastive", "contrastive_uniform_gap", "la", "projection_cosine", "total"], stage1.Keys.Order());
        Assert.All(stage1.Values, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(stage1["la"] + stage1["contrastive"], stage1["total"], 4);
        Assert.Equal((1, 0), (views.Calls, plain.Calls));
        Assert.True(Changed(sada, before, "featurizer.conv1.weight"));
        Assert.True(Changed(sada, before, "la_head.conv1.weight"));
        Assert.True(Changed(sada, before, "projector.fc1.weight"));
        Assert.False(Changed(sada, before, "classifier.weight"));

        var before2 = Snapshot(sada);
        var stage2 = sada.Update(TinyBatch.Create(1), 2);
        Assert.Equal(["ce", "total"], stage2.Keys.Order());
        Assert.True(double.IsFinite(stage2["ce"]));
        Assert.Equal((1, 1), (views.Calls, plain.Calls));
        // The same optimiser keeps training the backbone in stage 2.
        Assert.True(Changed(sada, before2, "classifier.weight"));
        Assert.True(Changed(sada, before2, "featurizer.conv1.weight"));
    }

    [Fact]
    public void La_weight_zero_omits_la_and_its_head()
    {
        using var scope = NewDisposeScope();
        using var sada = Create(Tiny("sada") with { LaWeight = 0 });
        Assert.Null(((SadaAlgorithm)sada).Net.LaHead);
        var losses = sada.Update(TinyBatch.Create(), 0);
        Assert.Equal(["contrastive", "contrastive_uniform_gap", "projection_cosine", "total"], losses.Keys.Order());
    }

    [Fact]
    public void One_view_per_cell_omits_la()
    {
        using var scope = NewDisposeScope();
        using var sada = Create(Tiny("sada") with { K = 1 });
        Assert.Null(((SadaAlgorithm)sada).Net.LaHead);
        var losses = sada.Update(TinyBatch.Create(), 0);
        Assert.Equal(["contrastive", "contrastive_uniform_gap", "projection_cosine", "total"], losses.Keys.Order());
    }

    [Fact]
    public void La_weight_scales_the_la_term()
    {
        using var scope = NewDisposeScope();
        using var sada = Create(Tiny("sada") with { LaWeight = 3.0 });
        var losses = sada.Update(TinyBatch.Create(), 0);
        Assert.Equal(3.0 * losses["la"] + losses["contrastive"], losses["total"], 4);
    }

    [Fact]
    public void Contrast_none_omits_contrastive_and_the_projector()
    {
        using var scope = NewDisposeScope();
        using var sada = Create(Tiny("sada") with { Contrast = ContrastMode.None });
        Assert.Null(((SadaAlgorithm)sada).Net.Projector);
        var losses = sada.Update(TinyBatch.Create(), 0);
        Assert.Equal(["la", "total"], losses.Keys.Order());
    }

    [Fact]
    public void SupCon_mode_gives_a_contrastive_term()
    {
        using var scope = NewDisposeScope();
        using var sada = Create(Tiny("sada") with { Contrast = ContrastMode.SupCon, LaWeight = 0 });
        var losses = sada.Update(TinyBatch.Create(), 0);
        Assert.Equal(["contrastive", "contrastive_uniform_gap", "projection_cosine", "total"], losses.Keys.Order());
        Assert.True(losses["contrastive"] > 0);
    }

    [Fact]
    public void Single_stage_adds_cross_entropy_over_the_views_from_step_zero()
    {
        using var scope = NewDisposeScope();
        var views = new RepeatedViews(3);
        var plain = new NormalizeOnly();
        using var sada = Create(Tiny("sada") with { TwoStage = false }, views, plain);
        Assert.Equal(2, sada.StageAt(0));
        var before = Snapshot(sada);
        var losses = sada.Update(TinyBatch.Create(), 0);
        Assert.Equal(["ce", "contrastive", "contrastive_uniform_gap", "la", "projection_cosine", "total"], losses.Keys.Order());
        Assert.Equal(losses["la"] + losses["contrastive"] + losses["ce"], losses["total"], 4);
        // The views, not the plain images, feed the classifier.
        Assert.Equal((1, 0), (views.Calls, plain.Calls));
        Assert.True(Changed(sada, before, "classifier.weight"));
        // Still the views at a step past Stage1Steps.
        sada.Update(TinyBatch.Create(1), 3);
        Assert.Equal((2, 0), (views.Calls, plain.Calls));
    }

    [Fact]
    public void Stage_one_with_every_term_off_takes_no_step()
    {
        using var scope = NewDisposeScope();
        using var sada = Create(Tiny("sada") with { LaWeight = 0, Contrast = ContrastMode.None });
        var before = Snapshot(sada);
        var losses = sada.Update(TinyBatch.Create(), 0);
        Assert.Equal(0, losses["total"]);
        Assert.False(Changed(sada, before, "featurizer.conv1.weight"));
    }

    [Fact]
    public void View_count_must_match_k()
    {
        var e = Assert.Throws<ArgumentException>(() => Create(Tiny("sada"), views: new RepeatedViews(2)));
        Assert.Contains("K is 3", e.Message);
    }

    [Fact]
    public void Predict_and_features_shapes()
    {
        using var scope = NewDisposeScope();
        using var sada = Create(Tiny("sada"));
        var images = rand(6, 3, 32, 32);
        Assert.Equal([6L, TinyBatch.Classes], sada.Predict(images).shape);
        Assert.Equal([6L, 512], sada.Features(images).shape);
    }
}
