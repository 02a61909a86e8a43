using Bunit;
using Microsoft.AspNetCore.Components;
using Plotly.Blazor;
using Plotly.Blazor.LayoutLib.XAxisLib;
using Sada.Workbench.Components.Shared;
using YAutoMargin = Plotly.Blazor.LayoutLib.YAxisLib.AutoMarginFlag;

namespace Sada.Workbench.Tests.Components;

/// <summary>Charts stay readable: the confusion matrix's class names are never clipped, and in dark mode every chart is drawn in the theme's colours.</summary>
public class ChartThemeTests : IAsyncLifetime
{
    readonly BunitContext _ctx = PageContext.Create();

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    static readonly string[] Classes = ["immature granulocyte", "erythroblast", "neutrophil"];
    static readonly int[][] Counts = [[5, 1, 0], [0, 4, 2], [1, 0, 3]];

    [Fact]
    public void The_confusion_matrix_grows_its_margins_to_fit_the_class_names()
    {
        var chart = _ctx.Render<ConfusionHeatmap>(ps => ps.Add(c => c.Classes, Classes).Add(c => c.Counts, Counts));
        var layout = chart.FindComponent<PlotlyChart>().Instance.Layout;
        // Plotly's automargin makes room for the tick labels (rotated or long), where a fixed margin cut them off.
        Assert.Equal(AutoMarginFlag.True, layout.XAxis[0].AutoMargin);
        Assert.Equal(YAutoMargin.True, layout.YAxis[0].AutoMargin);
        Assert.True(layout.Margin.AutoExpand is null or true);
    }

    [Fact]
    public void In_dark_mode_a_chart_has_a_transparent_background_and_light_text_and_in_light_mode_plotlys_own()
    {
        var chart = _ctx.Render<CascadingValue<ChartTheme>>(ps => ps.Add(c => c.Value, ChartTheme.Dark)
            .AddChildContent<ConfusionHeatmap>(h => h.Add(c => c.Classes, Classes).Add(c => c.Counts, Counts)));
        var layout = chart.FindComponent<PlotlyChart>().Instance.Layout;
        Assert.Equal(ChartTheme.Transparent, layout.PaperBgColor);
        Assert.Equal(ChartTheme.Transparent, layout.PlotBgColor);
        Assert.Equal(ChartTheme.DarkText, layout.Font.Color);
        Assert.Equal(ChartTheme.DarkGrid, layout.XAxis[0].GridColor);

        // Switched to light on the same page: the same layout loses the dark colours.
        chart.Render(ps => ps.Add(c => c.Value, ChartTheme.Light)
            .AddChildContent<ConfusionHeatmap>(h => h.Add(c => c.Classes, Classes).Add(c => c.Counts, Counts)));
        layout = chart.FindComponent<PlotlyChart>().Instance.Layout;
        Assert.Null(layout.PaperBgColor);
        Assert.Null(layout.Font?.Color);
        Assert.Null(layout.XAxis[0].GridColor);
    }
}
