using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Sada.Workbench.Tests.Browser;

/// <summary>A researcher's runs in the browser: a tiny run watched live on its page, then found on Compare.</summary>
public sealed class RunFlowBrowserTests(BrowserWorkbench workbench) : BrowserTest(workbench)
{
    [Fact]
    public async Task A_tiny_run_draws_its_loss_curve_live_and_then_has_its_row_on_Compare()
    {
        var page = Session.Page;
        int blocker = await TinyRuns.QueueAsync(Session.Api, TinyRuns.Blocker);
        int run = await TinyRuns.QueueAsync(Session.Api, TinyRuns.Sada);

        // Opened while the run waits behind the blocker: whatever the chart shows later came live.
        await Session.GotoAsync($"/runs/{run}");
        var runPage = new RunPage(page);
        await Expect(runPage.Status).ToHaveTextAsync("Queued");
        await Expect(runPage.LossPanel).ToContainTextAsync("No evaluation yet");
        await TinyRuns.CancelAsync(Session.Api, blocker);

        var (counts, status) = await runPage.WatchLossPointsAsync(TimeSpan.FromSeconds(90));

        Assert.True(status == "Completed", $"run {run} ended {status}: {string.Join(" ", await page.Locator(".mud-alert").AllInnerTextsAsync())}");
        // 0, then at least two more counts: the chart grew point by point while the page was open.
        Assert.True(counts.Count >= 3 && counts.SequenceEqual(counts.Order()) && counts[0] == 0,
            $"loss points seen on the open page: {string.Join(", ", counts)}");
        // Live gave what the stored history gives.
        await Session.GotoAsync($"/runs/{run}");
        await Expect(runPage.Status).ToHaveTextAsync("Completed");
        await Expect(runPage.LossPanel.Locator(".js-plotly-plot")).ToBeVisibleAsync();
        Assert.Equal(counts[^1], await runPage.LossPointsAsync());

        await Session.GotoAsync("/compare");
        var row = page.Locator("tr").Filter(new() { Has = page.GetByRole(AriaRole.Cell, new() { Name = run.ToString(), Exact = true }) });
        await row.Locator(".mud-checkbox").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare selected (1)" }).ClickAsync();
        var table = page.Locator(".sada-study-table");
        await Expect(table.Locator("thead")).ToContainTextAsync(TinyRuns.HeldOut);
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(table.Locator("tbody tr td").First).ToHaveTextAsync(new Regex("^sada "));
        await Expect(table.Locator("tbody tr td").Nth(1)).ToHaveTextAsync(new Regex(@"^\d+\.\d / \d+\.\d"));
        Assert.Equal([$"#{run} sada {TinyRuns.HeldOut} s7"], (await PlotlyCharts.TracesAsync(page, "Held-out accuracy")).Select(t => t.Name));
    }
}
