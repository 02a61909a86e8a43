using Plotly.Blazor.LayoutLib;

namespace Sada.Workbench.Components.Shared;

/// <summary>
/// The colours charts are drawn in, cascaded by the layout (<c>MainLayout</c>) to every <see cref="PlotlyView"/>. Light is
/// plotly's own look; dark draws on a transparent background (the theme's surface shows through) with light text and
/// faint grid lines, so axes, ticks, legends and colour bars stay readable.
/// </summary>
public sealed record ChartTheme(bool IsDark)
{
    public static readonly ChartTheme Light = new(false);
    public static readonly ChartTheme Dark = new(true);

    public const string Transparent = "rgba(0,0,0,0)";
    public const string DarkText = "rgba(255,255,255,0.85)";
    public const string DarkGrid = "rgba(255,255,255,0.15)";

    /// <summary>Sets (dark) or clears (light) the theme's colours on <paramref name="layout"/>, leaving everything else as the chart made it.</summary>
    public void Apply(Plotly.Blazor.Layout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        layout.PaperBgColor = IsDark ? Transparent : null;
        layout.PlotBgColor = IsDark ? Transparent : null;
        if (IsDark) (layout.Font ??= new Font()).Color = DarkText;
        else if (layout.Font is not null) layout.Font.Color = null;
        foreach (var axis in layout.XAxis ?? [])
        {
            axis.GridColor = IsDark ? DarkGrid : null;
            axis.ZeroLineColor = IsDark ? DarkGrid : null;
        }
        foreach (var axis in layout.YAxis ?? [])
        {
            axis.GridColor = IsDark ? DarkGrid : null;
            axis.ZeroLineColor = IsDark ? DarkGrid : null;
        }
    }
}
