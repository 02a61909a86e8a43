using Sada.Core.Data;

namespace Sada.Core.Training;

/// <summary>
/// Per-center balanced minibatches: every step takes B cells from every training center. Each center's
/// cells are walked through seeded permutations, epoch after epoch; the batch of step s is a pure function
/// of (seed, s), so resuming needs no sampler state.
/// </summary>
public sealed class BalancedBatchSampler(IReadOnlyList<CenterSplit> centers, int batchPerCenter, int seed)
{
    readonly Dictionary<(int Center, long Epoch), int[]> _permutations = new();

    public IReadOnlyList<CenterSplit> Centers => centers;

    /// <summary>The cells of step <paramref name="step"/>, one list per training center, in center order.</summary>
    public IReadOnlyList<CellSample>[] At(int step)
    {
        var result = new IReadOnlyList<CellSample>[centers.Count];
        for (int i = 0; i < centers.Count; i++)
        {
            var cells = centers[i].Train;
            int n = cells.Count;
            var batch = new CellSample[batchPerCenter];
            long position = (long)step * batchPerCenter;
            for (int b = 0; b < batchPerCenter; b++, position++)
                batch[b] = cells[Permutation(centers[i].Center, position / n, n)[position % n]];
            result[i] = batch;
        }
        return result;
    }

    int[] Permutation(int center, long epoch, int n)
    {
        if (_permutations.TryGetValue((center, epoch), out var p)) return p;
        if (_permutations.Count > 4 * centers.Count) _permutations.Clear();
        p = Enumerable.Range(0, n).ToArray();
        new Random(SeedMix.Of(seed, center, epoch)).Shuffle(p);
        return _permutations[(center, epoch)] = p;
    }
}
