namespace Sada.Core.Data;

/// <summary>One labelled cell image: its center and class (indices into the dataset's lists) and the file that holds it.</summary>
public sealed record CellSample(int Center, int Label, string Path);

/// <summary>
/// A multi-center dataset as the trainer sees it (DomainBed's list of environments): center names, class
/// names and every sample. Where it came from (an ImageFolder tree or the workbench's store) does not matter.
/// </summary>
public sealed record MultiCenterDataset(IReadOnlyList<string> Centers, IReadOnlyList<string> Classes, IReadOnlyList<CellSample> Samples)
{
    public int CenterIndex(string name)
    {
        for (int i = 0; i < Centers.Count; i++)
            if (string.Equals(Centers[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        throw new ArgumentException($"Center '{name}' is not in the dataset; its centers are {string.Join(", ", Centers)}.");
    }
}
