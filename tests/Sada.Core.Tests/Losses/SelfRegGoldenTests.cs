using Sada.Core.Losses;
using Sada.Core.Models;
using Sada.Core.Tests.Golden;
using TorchSharp;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Losses;

/// <summary>SelfReg's loss and gradients against the authors' update() (tests/golden/selfreg.json, float64).</summary>
public class SelfRegGoldenTests
{
    [Fact]
    public void Loss_and_gradients_match_the_authors_update()
    {
        using var scope = NewDisposeScope();
        var g = GoldenJson.Load("selfreg.json");
        var order = g.Tensor("sort_indices").to(int64);
        var features = g.Tensor("features").reshape(-1, 6).index_select(0, order);
        var labels = g.Tensor("labels").flatten().to(int64).index_select(0, order);
        var weight = g.Tensor("classifier_weight").requires_grad_();
        var bias = g.Tensor("classifier_bias").requires_grad_();

        using var projector = new SelfRegProjector(6);
        projector.to(float64);
        projector.train();
        var state = projector.state_dict();
        using (no_grad())
        {
            foreach (var p in g["cdpl_state"].EnumerateObject())
                state["layers." + p.Name].copy_(GoldenJson.ToTensor(p.Value));
        }
        var permutations = g["permutations_in_class_order"].EnumerateArray()
            .Select(p => p.EnumerateArray().Select(i => i.GetInt64()).ToArray()).ToList();
        var blocks = Enumerable.Range(0, permutations.Count / 2).Select(b => (permutations[2 * b], permutations[2 * b + 1])).ToList();

        var logits = features.matmul(weight.t()) + bias;
        var terms = SelfRegLoss.Compute(features, projector.call(features), logits, labels, g.Number("lambda"), blocks);
        terms.Total.backward();

        var expected = g.Child("expected");
        Assert.Equal(expected.Number("loss"), terms.Total.item<double>(), 1e-9);
        GoldenCase.AssertClose(weight.grad!, expected.Tensor("grad_classifier_weight"), 1e-6, "grad classifier weight");
        GoldenCase.AssertClose(bias.grad!, expected.Tensor("grad_classifier_bias"), 1e-6, "grad classifier bias");
        GoldenCase.AssertClose(projector.FirstWeight.grad!, expected.Tensor("grad_cdpl_first_weight"), 1e-6, "grad projector first weight");
    }

    [Fact]
    public void Blocks_that_do_not_cover_the_batch_are_refused_with_the_counts()
    {
        using var scope = NewDisposeScope();
        var x = randn(4, 3);
        var e = Assert.Throws<ArgumentException>(() =>
            SelfRegLoss.Compute(x, x, x, tensor(new long[] { 0, 0, 1, 1 }), 0.5, [([0, 1], [1, 0])]));
        Assert.Contains("cover 2 rows, not the batch's 4", e.Message);
    }
}
