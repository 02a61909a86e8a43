using Sada.Core.Data;

namespace Sada.Core.Training;

/// <summary>A training center's cells, split into training and in-domain validation.</summary>
public sealed record CenterSplit(int Center, string Name, IReadOnlyList<CellSample> Train, IReadOnlyList<CellSample> Validation);

/// <summary>One leave-one-center-out fold: the held-out center is evaluated whole; the others train.</summary>
public sealed record LeaveOneCenterOutSplit(int HeldOut, string HeldOutName, IReadOnlyList<CenterSplit> Training, IReadOnlyList<CellSample> Test);

/// <summary>
/// The leave-one-domain-out protocol: every center but one trains, the held-out one is tested whole, and each
/// training center keeps a seeded fraction (20 %) for validation, which drives model selection (DomainBed's
/// training-domain validation).
/// </summary>
public static class LeaveOneCenterOut
{
    /// <remarks>The 80/20 split is made per class within each center, so a rare class (basophils) still has
    /// cells on both sides; a class with a single cell in a center stays in training.</remarks>
    public static LeaveOneCenterOutSplit Split(MultiCenterDataset data, string heldOut, double validationFraction, int seed)
    {
        int held = data.CenterIndex(heldOut);
        if (data.Centers.Count < 2) throw new ArgumentException("Leave-one-center-out needs at least two centers.");
        var test = data.Samples.Where(s => s.Center == held).ToList();
        if (test.Count == 0) throw new ArgumentException($"The held-out center '{data.Centers[held]}' has no images.");

        var training = new List<CenterSplit>();
        for (int c = 0; c < data.Centers.Count; c++)
        {
            if (c == held) continue;
            var train = new List<CellSample>();
            var validation = new List<CellSample>();
            foreach (var group in data.Samples.Where(s => s.Center == c).GroupBy(s => s.Label).OrderBy(g => g.Key))
            {
                // Sort first: the split must not depend on the order files were listed in.
                var cells = group.OrderBy(s => s.Path, StringComparer.Ordinal).ToArray();
                new Random(SeedMix.Of(seed, c, group.Key)).Shuffle(cells);
                int nVal = (int)Math.Round(cells.Length * validationFraction);
                if (nVal >= cells.Length) nVal = cells.Length - 1;
                validation.AddRange(cells.Take(nVal));
                train.AddRange(cells.Skip(nVal));
            }
            if (train.Count == 0) throw new ArgumentException($"Training center '{data.Centers[c]}' has no images.");
            training.Add(new CenterSplit(c, data.Centers[c], train, validation));
        }
        return new LeaveOneCenterOutSplit(held, data.Centers[held], training, test);
    }
}
