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
}
