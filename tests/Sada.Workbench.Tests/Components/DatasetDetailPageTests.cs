using System.Globalization;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Plotly.Blazor.Traces;
using Sada.Workbench.Accounts;
using Sada.Workbench.Components.Datasets;
using Sada.Workbench.Components.Pages;
using Sada.Workbench.Components.Shared;
using Sada.Workbench.Datasets;
using Sada.Workbench.Tests.Datasets;

namespace Sada.Workbench.Tests.Components;

/// <summary>A dataset's page, rendered by bUnit on the real services of <see cref="DatasetFixture"/>.</summary>
public class DatasetDetailPageTests : IClassFixture<DatasetFixture>, IAsyncLifetime
{
    readonly BunitContext _ctx = PageContext.Create();
    readonly BunitAuthorizationContext _auth;
    readonly DatasetFixture _fixture;

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    public DatasetDetailPageTests(DatasetFixture fixture)
    {
        _fixture = fixture;
        fixture.AddPageServices(_ctx);
        _auth = _ctx.SignInAs(WorkbenchRoles.Reviewer);
    }

    IRenderedComponent<DatasetDetail> Render()
    {
        var page = _ctx.Render<DatasetDetail>(ps => ps.Add(p => p.Id, _fixture.DatasetId));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=counts]")));
        return page;
    }

    [Fact]
    public void Shows_images_per_center_and_class_a_sheet_per_center_and_no_admin_controls_for_a_reviewer()
    {
        var page = Render();

        var rows = page.FindAll("[data-testid=counts] tbody tr").Select(r => r.Children.Select(c => c.TextContent.Trim()).ToList()).ToList();
        Assert.Equal(["center-a", "center-b", "center-c", "All"], rows.Select(r => r[0]));
        Assert.Equal("24", rows[3][^1]);
        var perCenter = _fixture.Set.ClassCounts;
        var header = page.FindAll("[data-testid=counts] thead th").Select(h => h.TextContent).ToList();
        Assert.Equal(perCenter[1]["neutrophil"].ToString(CultureInfo.InvariantCulture), rows[1][header.IndexOf("neutrophil")]);

        Assert.Equal(
            new[] { "center-a", "center-b", "center-c" }.Select(c => $"/api/datasets/{_fixture.DatasetId}/centers/{c}/sheet.png"),
            page.FindAll("[data-testid=sheet]").Select(i => i.GetAttribute("src")));
        Assert.Empty(page.FindAll("[data-testid=import-panel]"));
        Assert.Empty(page.FindAll("[data-testid=delete-panel]"));
    }

    [Fact]
    public void An_admin_gets_add_a_center_and_delete()
    {
        _auth.BecomeRole(WorkbenchRoles.Admin);

        var page = Render();

        Assert.Contains("Add a center", page.Find("[data-testid=import-panel]").TextContent);
        Assert.NotNull(page.Find("[data-testid=import-center]"));
        Assert.NotNull(page.Find("[data-testid=delete]"));
    }

    [Fact]
    public async Task The_stain_explorer_draws_each_fingerprints_swatches_and_vectors_and_the_distance_heatmap()
    {
        var page = Render();

        var rows = page.FindAll("[data-testid=fingerprints] tbody tr");
        Assert.Equal(3, rows.Count);
        foreach (var row in rows)
        {
            // Two stains and the background, each a swatch of its exp(-OD) colour next to its three OD numbers.
            Assert.Equal(3, row.QuerySelectorAll(".sada-swatch").Length);
            Assert.All(row.QuerySelectorAll(".sada-swatch"), s => Assert.Matches("^#[0-9a-f]{6}$", s.GetAttribute("data-color")!));
            Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(row.TextContent, @"\(\d\.\d{3}, \d\.\d{3}, \d\.\d{3}\)"));
        }
        var map = StainExplorer.Map((await _fixture.Services.GetRequiredService<DatasetBrowser>().GetAsync(_fixture.DatasetId))!);
        var a = map.Centers[0].Fingerprint!;
        Assert.Contains(StainExplorer.Css(a.StainColor(0)), rows[0].InnerHtml);

        var heatmap = page.FindComponent<DistanceHeatmap>();
        Assert.Equal(["center-a", "center-b", "center-c"], heatmap.Instance.Labels);
        var trace = (HeatMap)heatmap.FindComponent<Plotly.Blazor.PlotlyChart>().Instance.Data.Single();
        Assert.Equal(map.Distances[0][2], (double)((List<object>)trace.Z[0])[2]);
    }

    [Fact]
    public void Picking_a_cell_shows_it_in_every_other_centers_stain()
    {
        var page = Render();
        var panel = page.FindComponent<TransferPreviewPanel>();
        panel.WaitForAssertion(() => Assert.Equal(8, panel.FindAll("[data-testid=preview-cells] img").Count));

        panel.FindAll("[data-testid=preview-cells] img")[1].Click();

        panel.WaitForAssertion(() => Assert.Equal(2, panel.FindAll("[data-testid=preview-target]").Count), TimeSpan.FromSeconds(20));
        Assert.Equal(["center-b", "center-c"], panel.FindAll("[data-testid=preview-target]").Select(f => f.GetAttribute("data-center")));
        var source = panel.Find("[data-testid=preview-source]").GetAttribute("src");
        var shown = panel.FindAll("[data-testid=preview-target] img").Select(i => i.GetAttribute("src")).ToList();
        Assert.All(shown, src => Assert.StartsWith("data:image/png;base64,", src));
        Assert.DoesNotContain(source, shown);
        Assert.Equal(2, shown.Distinct().Count());
        Assert.Contains("96 px, 2 center(s)", panel.Markup);
    }
}
