using System.Text.Json;
using Microsoft.Playwright;

namespace Sada.Workbench.Tests.Browser;

/// <summary>The run page (/runs/{id}) as a test sees it.</summary>
public sealed class RunPage(IPage page)
{
    public static readonly string[] Finished = ["Completed", "Failed", "Cancelled"];

    public ILocator Status => page.GetByTestId("status");
    public ILocator Cancel => page.GetByTestId("cancel");
    public ILocator LossPanel => page.Locator(".mud-paper").Filter(new() { Has = page.GetByText("Losses", new() { Exact = true }) });

    /// <summary>The loss chart's points once it is drawn (0 with no evaluation yet).</summary>
    public Task<int> LossPointsAsync() => PlotlyCharts.PointsAsync(page, "Losses");

    /// <summary>
    /// Watches the loss chart until the run finishes: every distinct point count it showed, in order (read in the page
    /// every 50 ms, so each count that stays on screen that long is seen), and the final status.
    /// </summary>
    public async Task<(List<int> Counts, string Status)> WatchLossPointsAsync(TimeSpan timeout)
    {
        var counts = new List<int> { await LossPointsAsync() };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
                throw new TimeoutException($"The run did not finish within {timeout}; loss points seen: {string.Join(", ", counts)}");
            var handle = await page.WaitForFunctionAsync($$"""
                ([last, finished]) => {
                  const traces = ({{PlotlyCharts.TracesJs}})('Losses');
                  const points = traces === null ? null : traces.reduce((n, t) => n + t.points, 0);
                  const status = document.querySelector('[data-testid=status]')?.textContent.trim() ?? '';
                  return (points !== null && points !== last) || finished.includes(status) ? { points, status } : false;
                }
                """, new object[] { counts[^1], Finished },
                new PageWaitForFunctionOptions { PollingInterval = 50, Timeout = (float)remaining.TotalMilliseconds });
            var seen = await handle.JsonValueAsync<JsonElement>();
            if (seen.GetProperty("points") is { ValueKind: JsonValueKind.Number } p && p.GetInt32() != counts[^1]) counts.Add(p.GetInt32());
            var status = seen.GetProperty("status").GetString()!;
            if (Finished.Contains(status)) return (counts, status);
        }
    }
}
