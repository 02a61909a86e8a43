using Sada.Data.Entities;
using Sada.Data.Studies;

namespace Sada.Data.Tests.Studies;

/// <summary>The study table marks a cell that counts a run whose stage 1 collapsed (Run.CollapseStep), and says what the mark means.</summary>
public class StudyTableCollapseTests
{
    static TableRun Run(int id, string variant, string center, int seed, int? collapse = null, RunStatus status = RunStatus.Completed) =>
        new(id, variant, center, seed, status, [new EvaluationPoint(5, 0.9, 0.8, 0.7)], collapse);

    [Fact]
    public void A_cell_counts_its_collapsed_seeds_and_the_average_counts_seeds_with_any_collapsed_center()
    {
        var table = StudyTable.Build("t",
        [
            Run(1, "scratch", "a", 0, collapse: 41), Run(2, "scratch", "a", 1), Run(3, "scratch", "b", 0), Run(4, "scratch", "b", 1, collapse: 70),
            Run(5, "imagenet", "a", 0), Run(6, "imagenet", "a", 1), Run(7, "imagenet", "b", 0), Run(8, "imagenet", "b", 1),
            // Not counted (not completed): its collapse does not mark the cell.
            Run(9, "imagenet", "a", 2, collapse: 3, status: RunStatus.Failed),
        ], seeds: [0, 1]);

        var scratch = table.Rows.Single(r => r.Variant == "scratch");
        Assert.Equal([1, 1, 2], scratch.Cells.Select(c => c.Collapsed));
        Assert.All(table.Rows.Single(r => r.Variant == "imagenet").Cells, c => Assert.Equal(0, c.Collapsed));
        Assert.True(table.HasCollapse);
        Assert.StartsWith("\u2020", StudyTable.CollapseFootnote, StringComparison.Ordinal);
    }

    [Fact]
    public void A_later_healthy_run_of_the_same_cell_replaces_a_collapsed_one()
    {
        var table = StudyTable.Build("t", [Run(1, "v", "a", 0, collapse: 41), Run(2, "v", "a", 0)]);
        Assert.All(table.Rows.Single().Cells, c => Assert.Equal(0, c.Collapsed));
        Assert.False(table.HasCollapse);
    }
}
