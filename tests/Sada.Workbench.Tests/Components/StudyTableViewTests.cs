using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Sada.Data.Studies;
using Sada.Workbench.Components.Shared;

namespace Sada.Workbench.Tests.Components;

public class StudyTableViewTests : IAsyncLifetime
{
    readonly BunitContext _ctx = PageContext.Create();

    public StudyTableViewTests()
    {
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    static SeedStat S(int expected, params double[] values) => SeedStat.Of(values, expected);

    static StudyTable Table() => new("sada vs erm", ["center-a", StudyTable.AverageColumn], [0, 1, 2],
    [
        new TableRow("SADA", [new TableCell("center-a", S(3, 0.90, 0.92, 0.94), S(3, 0.80, 0.82, 0.84), true, true),
                              new TableCell(StudyTable.AverageColumn, S(3, 0.90, 0.92, 0.94), S(3, 0.80, 0.82, 0.84), true, true)]),
        new TableRow("ERM", [new TableCell("center-a", S(3, 0.85, 0.87), S(3, 0.70, 0.72), false, false),
                             new TableCell(StudyTable.AverageColumn, S(3), S(3), false, false)]),
    ]);

    [Fact]
    public void Cells_show_micro_and_macro_as_mean_plus_minus_std_in_percent_with_the_best_in_bold()
    {
        var view = _ctx.Render<StudyTableView>(ps => ps.Add(v => v.Table, Table()));

        var sada = view.FindAll("tbody tr")[0].QuerySelectorAll("td");
        Assert.Equal("SADA", sada[0].TextContent.Trim());
        Assert.Equal("92.0 ± 2.0 / 82.0 ± 2.0", sada[1].TextContent.Trim());
        Assert.Equal(["92.0", "82.0"], sada[1].QuerySelectorAll("b").Select(b => b.TextContent));
        Assert.Equal(["Method", "center-a", "Average"], view.FindAll("thead th").Select(th => th.TextContent));
    }

    [Fact]
    public void Incomplete_cells_show_k_of_n_and_are_not_bold()
    {
        var view = _ctx.Render<StudyTableView>(ps => ps.Add(v => v.Table, Table()));

        var erm = view.FindAll("tbody tr")[1].QuerySelectorAll("td");
        Assert.Equal("86.0 ± 1.4 / 71.0 ± 1.4 (2/3)", erm[1].TextContent.Trim());
        Assert.Empty(erm[1].QuerySelectorAll("b"));
        Assert.Equal("-- / -- (0/3)", erm[2].TextContent.Trim());
    }

    [Fact]
    public void Format_leaves_the_std_out_below_two_seeds()
    {
        Assert.Equal("91.0", StudyTableView.Format(S(3, 0.91)));
        Assert.Equal("--", StudyTableView.Format(S(3)));
    }

    [Fact]
    public void A_cell_with_a_collapsed_run_gets_a_dagger_and_the_table_a_footnote()
    {
        var marked = Table() with
        {
            Rows = [Table().Rows[0] with { Cells = [Table().Rows[0].Cells[0] with { Collapsed = 2 }, Table().Rows[0].Cells[1]] }, Table().Rows[1]],
        };
        var view = _ctx.Render<StudyTableView>(ps => ps.Add(v => v.Table, marked));
        var mark = Assert.Single(view.FindAll("[data-testid=collapsed-mark]"));
        Assert.Equal("\u20202", mark.TextContent.Trim());
        Assert.Contains("collapsed", view.Find("[data-testid=collapse-footnote]").TextContent, StringComparison.Ordinal);

        var clean = _ctx.Render<StudyTableView>(ps => ps.Add(v => v.Table, Table()));
        Assert.Empty(clean.FindAll("[data-testid=collapsed-mark]"));
        Assert.Empty(clean.FindAll("[data-testid=collapse-footnote]"));
    }
}

public class StudyBarsTests
{
    [Fact]
    public void One_bar_trace_per_variant_over_the_held_out_centers_without_the_average()
    {
        SeedStat S(params double[] v) => SeedStat.Of(v, 2);
        var table = new StudyTable("t", ["a", "b", StudyTable.AverageColumn], [0, 1],
        [
            new TableRow("SADA", [new TableCell("a", S(0.9, 0.9), S(0.8, 0.6), true, true), new TableCell("b", S(0.5), S(0.5), true, true),
                                  new TableCell(StudyTable.AverageColumn, S(0.7), S(0.6), true, true)]),
            new TableRow("ERM", [new TableCell("a", S(), S(), false, false), new TableCell("b", S(0.4), S(0.3), false, false),
                                 new TableCell(StudyTable.AverageColumn, S(), S(), false, false)]),
        ]);

        var bars = StudyBars.Build(table);

        Assert.Equal(["SADA", "ERM"], bars.Select(b => b.Name));
        Assert.Equal(["a", "b"], bars[0].X.Cast<string>());
        Assert.Equal(70.0, (double)bars[0].Y[0], 6);
        Assert.Equal(["b"], bars[1].X.Cast<string>());
    }
}
