using Sada.Core.Embedding;

namespace Sada.Core.Tests.Embedding;

public class StratifiedSampleTests
{
    // 4 centers × 5 classes with very uneven group sizes, including rare groups of 1-3 cells and one empty group.
    static (int[] Centers, int[] Classes) Candidates()
    {
        var centers = new List<int>();
        var classes = new List<int>();
        var random = new Random(7);
        for (int c = 0; c < 4; c++)
            for (int k = 0; k < 5; k++)
            {
                if (c == 3 && k == 4) continue;
                int size = (c, k) switch { (0, 0) => 1, (1, 2) => 2, (2, 3) => 3, _ => 200 + random.Next(800) };
                for (int i = 0; i < size; i++) { centers.Add(c); classes.Add(k); }
            }
        // Shuffle so groups are interleaved, as rows from a database would be.
        var order = Enumerable.Range(0, centers.Count).OrderBy(_ => random.Next()).ToArray();
        return (order.Select(i => centers[i]).ToArray(), order.Select(i => classes[i]).ToArray());
    }

    [Fact]
    public void Every_non_empty_group_is_represented_within_the_budget()
    {
        var (centers, classes) = Candidates();
        var sample = StratifiedSample.Select(centers, classes, budget: 1500, seed: 0);
        Assert.Equal(1500, sample.Length);
        Assert.Equal(sample.Length, sample.Distinct().Count());
        var groups = centers.Zip(classes).Distinct().ToHashSet();
        var covered = sample.Select(i => (centers[i], classes[i])).ToHashSet();
        Assert.Equal(19, groups.Count);
        Assert.True(groups.SetEquals(covered));
    }

    [Fact]
    public void Large_groups_keep_their_share()
    {
        var (centers, classes) = Candidates();
        var sample = StratifiedSample.Select(centers, classes, 1500, seed: 0);
        foreach (var g in centers.Zip(classes).GroupBy(x => x).Where(g => g.Count() > 100))
        {
            double share = g.Count() / (double)centers.Length;
            int taken = sample.Count(i => (centers[i], classes[i]) == g.Key);
            Assert.InRange(taken, share * 1500 - 2, share * 1500 + 2);
        }
    }

    [Fact]
    public void Same_seed_same_sample_other_seed_other_sample()
    {
        var (centers, classes) = Candidates();
        var a = StratifiedSample.Select(centers, classes, 500, seed: 3);
        var b = StratifiedSample.Select(centers, classes, 500, seed: 3);
        var c = StratifiedSample.Select(centers, classes, 500, seed: 4);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.True(a.SequenceEqual(a.Order()));
    }

    [Fact]
    public void A_budget_above_the_candidates_takes_them_all_and_one_below_the_groups_is_refused()
    {
        var (centers, classes) = Candidates();
        Assert.Equal(centers.Length, StratifiedSample.Select(centers, classes, centers.Length + 10).Length);
        Assert.Throws<ArgumentException>(() => StratifiedSample.Select(centers, classes, 10));
    }

    [Fact]
    public void Allocation_never_exceeds_a_group()
    {
        var quota = StratifiedSample.Allocate(new[] { 1, 2, 50, 0, 3 }, 40);
        Assert.Equal(new[] { 1, 2, 34, 0, 3 }.Sum(), quota.Sum());
        Assert.All(quota.Zip(new[] { 1, 2, 50, 0, 3 }), q => Assert.InRange(q.First, q.Second == 0 ? 0 : 1, q.Second));
    }
}
