using Sada.Cli.Commands;
using Sada.Data.Entities;
using Sada.Data.Studies;

namespace Sada.Cli.Tests.Commands;

/// <summary>`sada table`'s Markdown marks a cell that counts a run whose stage 1 collapsed, and explains the mark.</summary>
public class TableMarkdownCollapseTests
{
    static TableRun Run(int id, string variant, int seed, int? collapse) =>
        new(id, variant, "BCCD", seed, RunStatus.Completed, [new EvaluationPoint(5, 0.9, 0.8, 0.7)], collapse);

    [Fact]
    public void A_collapsed_cell_gets_a_dagger_with_its_count_and_the_table_a_footnote()
    {
        var table = StudyTable.Build("t", [Run(1, "scratch", 0, 41), Run(2, "scratch", 1, null), Run(3, "imagenet", 0, null), Run(4, "imagenet", 1, null)]);
        var markdown = TableCommand.Markdown(table);
        var scratch = markdown.Split('\n').Single(l => l.StartsWith("| scratch", StringComparison.Ordinal));
        Assert.Contains(" \u20201", scratch, StringComparison.Ordinal);
        Assert.DoesNotContain("\u2020", markdown.Split('\n').Single(l => l.StartsWith("| imagenet", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains(StudyTable.CollapseFootnote, markdown, StringComparison.Ordinal);

        var clean = TableCommand.Markdown(StudyTable.Build("t", [Run(1, "imagenet", 0, null)]));
        Assert.DoesNotContain("\u2020", clean, StringComparison.Ordinal);
    }
}
