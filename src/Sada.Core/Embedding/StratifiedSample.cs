namespace Sada.Core.Embedding;

/// <summary>
/// A seeded sample of cells stratified by (center, class): each group's share of the budget follows its share of
/// the candidates (largest remainders), every non-empty group gets at least one cell, and no group gives more than it has.
/// </summary>
public static class StratifiedSample
{
    public const int DefaultBudget = 1500;

    /// <returns>Indices into the candidates, ascending.</returns>
    public static int[] Select(IReadOnlyList<int> centers, IReadOnlyList<int> classes, int budget = DefaultBudget, int seed = 0)
    {
        if (centers.Count != classes.Count) throw new ArgumentException($"{centers.Count} centers but {classes.Count} classes.");
        ArgumentOutOfRangeException.ThrowIfNegative(budget);
        int n = centers.Count;
        if (budget >= n) return Enumerable.Range(0, n).ToArray();

        var groups = Enumerable.Range(0, n)
            .GroupBy(i => (centers[i], classes[i]))
            .OrderBy(g => g.Key.Item1).ThenBy(g => g.Key.Item2)   // a fixed order, so the seed alone decides the sample
            .Select(g => g.ToArray())
            .ToArray();
        if (groups.Length > budget)
            throw new ArgumentException($"A budget of {budget} cannot represent all {groups.Length} (center, class) groups.");

        var quota = Allocate(groups.Select(g => g.Length).ToArray(), budget);
        var random = new Random(seed);
        var chosen = new List<int>(budget);
        for (int g = 0; g < groups.Length; g++)
        {
            var members = (int[])groups[g].Clone();
            random.Shuffle(members);
            chosen.AddRange(members.Take(quota[g]));
        }
        chosen.Sort();
        return chosen.ToArray();
    }

    /// <summary>One per group first, then the rest in proportion to what each group has left, by largest remainder.</summary>
    internal static int[] Allocate(int[] sizes, int budget)
    {
        var quota = sizes.Select(s => s > 0 ? 1 : 0).ToArray();
        int remaining = budget - quota.Sum();
        var spare = sizes.Select((s, g) => s - quota[g]).ToArray();
        long spareTotal = spare.Sum(s => (long)s);
        if (remaining <= 0 || spareTotal == 0) return quota;

        var exact = spare.Select(s => remaining * (double)s / spareTotal).ToArray();
        for (int g = 0; g < sizes.Length; g++) quota[g] += (int)Math.Floor(exact[g]);
        int left = budget - quota.Sum();
        foreach (int g in Enumerable.Range(0, sizes.Length).OrderByDescending(g => exact[g] - Math.Floor(exact[g])).ThenBy(g => g))
        {
            if (left == 0) break;
            if (quota[g] < sizes[g]) { quota[g]++; left--; }
        }
        return quota;
    }
}
