using Sada.Core.Losses;
using Sada.Core.Tests.Golden;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Losses;

/// <summary>BoDA's terms, gradient and centroid update against the authors' update() (tests/golden/boda.json, float64).</summary>
public class BodaGoldenTests
{
    [Fact]
    public void Cross_entropy_distance_loss_macro_penalty_and_gradient_match_the_authors_update()
    {
        using var scope = NewDisposeScope();
        var g = GoldenJson.Load("boda.json");
        var features = g.Tensor("features").requires_grad_();
        var labels = g.Tensor("labels").to(int64);
        var weight = g.Tensor("classifier_weight");
        var bias = g.Tensor("classifier_bias");
        int centers = (int)features.shape[0];

        var perCenter = Enumerable.Range(0, centers).Select(c => features[c]).ToList();
        var ce = perCenter.Select((f, c) => nn.functional.cross_entropy(f.matmul(weight.t()) + bias, labels[c]))
            .Aggregate((a, b) => a + b) / centers;
        var penalty = BodaLoss.MacroPenalty(perCenter);
        var centerOfRow = arange(centers, dtype: int64).unsqueeze(1).expand(labels.shape).flatten();
        var boda = BodaLoss.Distance(features.reshape(-1, features.shape[2]), labels.flatten(), centerOfRow, g.Tensor("centroids"),
            g.Tensor("centroid_classes").to(int64), g.Tensor("centroid_envs").to(int64), g.Tensor("n_samples_table"),
            g.Number("nu"), g.Number("temperature"), g.Number("eps"));
        (ce + g.Number("macro_weight") * penalty + g.Number("boda_weight") * boda).backward();

        var expected = g.Child("expected");
        Assert.Equal(expected.Number("cross_entropy"), ce.item<double>(), 1e-9);
        Assert.Equal(expected.Number("boda"), boda.item<double>(), 1e-9);
        Assert.Equal(expected.Number("macro_penalty"), penalty.item<double>(), 1e-9);
        GoldenCase.AssertClose(features.grad!, expected.Tensor("grad_features"), 1e-6, "grad features");
    }

    [Fact]
    public void Centroid_update_blends_the_class_means_with_the_previous_centroids_by_the_momentum()
    {
        using var scope = NewDisposeScope();
        var update = GoldenJson.Load("boda.json").Child("centroid_update");
        var features = update.Tensors("features");
        var labels = update["labels"].EnumerateArray()
            .Select(c => (IReadOnlyList<int>)c.EnumerateArray().Select(l => (int)l.GetDouble()).ToList()).ToList();
        var refreshed = BodaLoss.RefreshCentroids(features, labels, update.Tensor("previous"), update.Number("momentum"));
        GoldenCase.AssertClose(refreshed, update.Tensor("expected"), 1e-6, "centroids");
    }
}
