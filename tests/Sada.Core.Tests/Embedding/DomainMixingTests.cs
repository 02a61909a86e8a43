using Sada.Core.Embedding;
using Sada.Core.Runtime;

namespace Sada.Core.Tests.Embedding;

public class DomainMixingTests
{
    public DomainMixingTests() => Assert.True(TorchRuntime.Initialize("cpu", 1).Loaded);

    static float[] Blobs(int perBlob, int blobs, double spacing, int seed, out int[] blob)
    {
        var random = new Random(seed);
        var points = new float[perBlob * blobs * 2];
        blob = new int[perBlob * blobs];
        for (int i = 0; i < blob.Length; i++)
        {
            blob[i] = i % blobs;
            points[2 * i] = (float)(blob[i] * spacing + random.NextDouble());
            points[2 * i + 1] = (float)random.NextDouble();
        }
        return points;
    }

    [Fact]
    public void Perfectly_separated_centers_score_one()
    {
        var points = Blobs(60, 3, spacing: 10, seed: 0, out var centers);
        var score = DomainMixing.CenterScore(points, centers);
        Assert.Equal(1.0, score.Accuracy);
        Assert.Equal(1.0 / 3, score.Chance, 10);
        Assert.Equal(10, score.K);
    }

    [Fact]
    public void Mixed_centers_score_near_chance_while_classes_stay_separable()
    {
        // Classes are the blobs; centers are assigned at random within them, so centers are fully mixed.
        var points = Blobs(200, 3, spacing: 10, seed: 1, out var classes);
        var random = new Random(2);
        var centers = classes.Select(_ => random.Next(4)).ToArray();
        var mixing = DomainMixing.CenterScore(points, centers);
        var separability = DomainMixing.ClassSeparability(points, classes);
        Assert.InRange(mixing.Accuracy, 0.15, 0.40);
        Assert.Equal(1.0, separability.Accuracy);
    }

    [Fact]
    public void Ties_go_to_the_nearer_neighbours()
    {
        // Point 0's two neighbours: one of label 1 (near), one of label 2 (far); k = 2 is a tie that distance breaks.
        var points = new float[] { 0, 0, 1, 0, 3, 0 };
        var score = DomainMixing.KnnAccuracy(points, new[] { 1, 1, 2 }, k: 2);
        // 0 -> nearest is 1 (label 1): right. 1 -> nearest is 0 (label 1): right. 2 -> both neighbours label 1: wrong.
        Assert.Equal(2.0 / 3, score.Accuracy, 10);
    }
}
