using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;

namespace Sada.Workbench.Components.Shared;

/// <summary>The charts' common Plotly settings.</summary>
public static class Charts
{
    public static Config Config => new() { Responsive = true, DisplayLogo = false };

    public static Plotly.Blazor.Layout Layout(string x, string y, string? title = null) => new()
    {
        Height = title is null ? 320 : 380,
        Margin = new Margin { L = 50, R = 20, T = title is null ? 20 : 70, B = 40 },
        Title = title is null ? null : new Title { Text = title },
        XAxis = [new XAxis { Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = x } }],
        YAxis = [new YAxis { Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = y } }],
    };

    /// <summary>A dashed vertical line across the plot at <paramref name="x"/> (the stage switch).</summary>
    public static Shape VerticalLine(double x) => new()
    {
        Type = Plotly.Blazor.LayoutLib.ShapeLib.TypeEnum.Line,
        X0 = x, X1 = x, Y0 = 0, Y1 = 1, XRef = "x", YRef = "paper",
        Line = new Plotly.Blazor.LayoutLib.ShapeLib.Line { Dash = "dash", Color = "gray", Width = 1 },
        Name = "stage switch",
    };

    /// <summary>A label at the top of the plot, just right of <paramref name="x"/> (the stage switch's "stage 2").</summary>
    public static Annotation LineLabel(double x, string text) => new()
    {
        X = x, Y = 1, XRef = "x", YRef = "paper", Text = text, ShowArrow = false,
        XAnchor = Plotly.Blazor.LayoutLib.AnnotationLib.XAnchorEnum.Left, YAnchor = Plotly.Blazor.LayoutLib.AnnotationLib.YAnchorEnum.Top,
        Font = new Plotly.Blazor.LayoutLib.AnnotationLib.Font { Color = "gray" },
    };

    /// <summary>Plotly's colour cycle, for charts that colour two traces alike (a loss's raw and smoothed lines) or by a category.</summary>
    public static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
}
