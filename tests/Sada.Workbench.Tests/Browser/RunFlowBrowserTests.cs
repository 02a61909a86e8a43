using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sada.Workbench.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Sada.Workbench.Tests.Browser;

/// <summary>
/// Runs in the browser, by role: a researcher watches a tiny run draw its loss curve live and finds it on Compare; a
/// reviewer has no Cancel on a running run, where a researcher has one and cancels it; charts drawn while plotly.js loads.
/// </summary>
public sealed class RunFlowBrowserTests(BrowserWorkbench workbench) : BrowserTest(workbench)
{
    [Fact]
    public async Task A_researcher_queues_a_tiny_run_on_the_form_watches_its_loss_curve_grow_live_then_finds_its_row_on_Compare()
    {
        var page = Session.Page;
        await SignInAsync(Session, WorkbenchRoles.Researcher);
        int blocker = await TinyRuns.QueueAsync(Session, TinyRuns.Blocker);
        await using var _ = TinyRuns.CancelAtEnd(Session, blocker);
        await Session.GotoAsync("/runs/new");
        int run = await new NewRunPage(page).QueueTinySadaAsync(seed: 7);
        const string heldOut = "center-a";

        // The form opened the run's page while the run waits behind the blocker: whatever the chart shows later came live.
        var runPage = new RunPage(page);
        await Expect(runPage.Status).ToHaveTextAsync("Queued");
        await Expect(runPage.LossPanel).ToContainTextAsync("No losses logged yet");
        await TinyRuns.CancelAsync(Session, blocker);

        var (counts, status) = await runPage.WatchLossPointsAsync(TimeSpan.FromSeconds(120));

        Assert.True(status == "Completed", $"run {run} ended {status}: {string.Join(" ", await page.Locator(".mud-alert").AllInnerTextsAsync())}");
        // 0, then at least two more counts: the chart grew point by point while the page was open.
        Assert.True(counts.Count >= 3 && counts.SequenceEqual(counts.Order()) && counts[0] == 0,
            $"loss points seen on the open page: {string.Join(", ", counts)}");
        // Live gave what the stored history gives.
        await Session.GotoAsync($"/runs/{run}");
        await Expect(runPage.Status).ToHaveTextAsync("Completed");
        Assert.Equal(counts[^1], await runPage.LossPointsAsync());
        // Step-level: logged every 2 steps and at each stage's last step (0, 2, 4, 5, 6, 8, 10, 11), more points than the 5 evaluations.
        Assert.Equal(8, (await PlotlyCharts.TracesAsync(page, "Losses")).Max(t => t.Points));

        await Session.GotoAsync("/compare");
        var row = page.Locator("tr").Filter(new() { Has = page.GetByRole(AriaRole.Cell, new() { Name = run.ToString(CultureInfo.InvariantCulture), Exact = true }) });
        await row.Locator(".mud-checkbox").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare selected (1)" }).ClickAsync();
        var table = page.Locator(".sada-study-table");
        await Expect(table.Locator("thead")).ToContainTextAsync(heldOut);
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(1);
        // A selected run is a row of its own, named by its id.
        await Expect(table.Locator("tbody tr td").First).ToHaveTextAsync(new Regex($"^#{run} sada "));
        await Expect(table.Locator("tbody tr td").Nth(1)).ToHaveTextAsync(new Regex(@"^\d+\.\d / \d+\.\d"));
        Assert.Equal([$"#{run} sada {heldOut} s7"], (await PlotlyCharts.TracesAsync(page, "Held-out accuracy")).Select(t => t.Name));
    }

    [Fact]
    public async Task A_reviewer_finds_no_Cancel_on_a_running_run_where_a_researcher_has_one_and_cancels_it()
    {
        var researcher = Session;
        await SignInAsync(researcher, WorkbenchRoles.Researcher);
        int blocker = await TinyRuns.QueueAsync(researcher, TinyRuns.Blocker);
        await using var _ = TinyRuns.CancelAtEnd(researcher, blocker);
        var reviewer = await OpenSessionAsync();
        await SignInAsync(reviewer, WorkbenchRoles.Reviewer, $"/runs/{blocker}");

        var reviewed = new RunPage(reviewer.Page);
        // Running (the worker may first finish cancelling another test's blocker): its cancel is then the worker's, which
        // every open page hears of.
        // Generous: under load the worker may still be finishing an earlier test's SADA run before it claims this blocker.
        await Expect(reviewed.Status).ToHaveTextAsync("Running", new() { Timeout = 90_000 });
        // The status row is rendered whole: its device text is there, the buttons are not.
        await Expect(reviewer.Page.GetByText("device:")).ToBeVisibleAsync();
        await Expect(reviewed.Cancel).ToHaveCountAsync(0);
        await Expect(reviewer.Page.GetByTestId("rerun")).ToHaveCountAsync(0);

        await researcher.GotoAsync($"/runs/{blocker}");
        var researched = new RunPage(researcher.Page);
        await Expect(researched.Status).ToHaveTextAsync("Running");
        await Expect(researched.Cancel).ToBeEnabledAsync();
        await researched.Cancel.ClickAsync();
        await Expect(researched.Status).ToHaveTextAsync("Cancelled", new() { Timeout = 30_000 });
        // The reviewer's open page follows.
        await Expect(reviewed.Status).ToHaveTextAsync("Cancelled");
    }

    /// <summary>
    /// Charts redrawn while plotly.js is still loading (a slow network, live evaluations): a chart replaced at that moment
    /// used to leave Plotly.Blazor a queued draw for a removed div, which threw uncaught and dropped the draws after it.
    /// </summary>
    [Fact]
    public async Task Charts_redrawn_while_plotly_js_is_still_loading_raise_no_browser_error()
    {
        var page = Session.Page;
        await SignInAsync(Session, WorkbenchRoles.Researcher);
        int blocker = await TinyRuns.QueueAsync(Session, TinyRuns.Blocker);
        await using var _ = TinyRuns.CancelAtEnd(Session, blocker);
        int run = await TinyRuns.QueueAsync(Session, new
        {
            algorithm = "erm", backbone = "resnet18", init = "scratch", imageSize = 32, batchPerCenter = 4, steps = 16, stage1Steps = 0, evalEvery = 1,
        });
        // A slow network: plotly.js arrives 3 s after it is asked for, while an evaluation lands every step.
        await page.RouteAsync("**/_content/Plotly.Blazor/plotly-*.min.js", async route =>
        {
            await Task.Delay(3000);
            await route.ContinueAsync();
        });
        await Session.GotoAsync($"/runs/{run}");
        await Expect(new RunPage(page).Status).ToHaveTextAsync("Queued");
        await TinyRuns.CancelAsync(Session, blocker);

        await Expect(new RunPage(page).Status).ToHaveTextAsync("Completed", new() { Timeout = 120_000 });
        // Losses, accuracy, confusion, recall (the t-SNE of a single-stage run comes at its end).
        await Screenshots.WaitForChartsAsync(page, 5);
    }
}
