using System.Text.Json;
using Microsoft.Playwright;

namespace Sada.Workbench.Tests.Browser;

/// <summary>
/// Reads the workbench's Plotly charts in the page: each sits in a MudPaper under its title, and plotly.js keeps what it
/// drew on the graph div (<c>div.data</c>: the traces with their x and y).
/// </summary>
public static class PlotlyCharts
{
    /// <summary>
    /// JS: (title) => the traces ([{name, points}]) of the chart under that title; [] when the panel says there is nothing
    /// to draw yet; null while there is no such panel or its chart is not drawn yet (charts are replaced when their
    /// data changes, and plotly draws the new one a moment later).
    /// </summary>
    public const string TracesJs = """
        (title) => {
          const heading = [...document.querySelectorAll('.mud-paper > .mud-typography')].find(t => t.textContent.trim() === title);
          if (!heading) return null;
          const chart = heading.nextElementSibling;
          if (!chart || chart.textContent.trim().startsWith('No ')) return [];
          return Array.isArray(chart.data) ? chart.data.map(t => ({ name: t.name ?? '', points: t.x?.length ?? 0 })) : null;
        }
        """;

    public sealed record Trace(string Name, int Points);

    /// <summary>The drawn traces of the chart titled <paramref name="title"/>, waiting until it is drawn.</summary>
    public static async Task<IReadOnlyList<Trace>> TracesAsync(IPage page, string title, float timeoutMs = 15_000)
    {
        var handle = await page.WaitForFunctionAsync($"(title) => {{ const traces = ({TracesJs})(title); return traces === null ? false : {{ traces }}; }}",
            title, new PageWaitForFunctionOptions { Timeout = timeoutMs });
        var traces = (await handle.JsonValueAsync<JsonElement>()).GetProperty("traces");
        return traces.EnumerateArray().Select(t => new Trace(t.GetProperty("name").GetString()!, t.GetProperty("points").GetInt32())).ToList();
    }

    /// <summary>Every trace's points, summed.</summary>
    public static async Task<int> PointsAsync(IPage page, string title) => (await TracesAsync(page, title)).Sum(t => t.Points);
}
