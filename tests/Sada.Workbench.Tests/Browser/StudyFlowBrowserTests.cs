using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sada.Workbench.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Sada.Workbench.Tests.Browser;

/// <summary>
/// A custom study in the browser: a researcher builds SADA vs ERM on the form (tiny config, one held-out center, one
/// seed), lands on Compare while the worker is still held, and watches the page fill in as the two runs finish: the
/// count goes from 0/2 to 2/2 and both rows get numbers, without a reload.
/// </summary>
public sealed class StudyFlowBrowserTests(BrowserWorkbench workbench) : BrowserTest(workbench)
{
    [Fact]
    public async Task A_researcher_builds_SADA_vs_ERM_on_the_form_and_watches_Compare_fill_in_live()
    {
        var page = Session.Page;
        await SignInAsync(Session, WorkbenchRoles.Researcher);
        // The blocker holds the one worker: the study's runs wait until Compare is open, so what fills in came live.
        int blocker = await TinyRuns.QueueAsync(Session, TinyRuns.Blocker);
        await using var _ = TinyRuns.CancelAtEnd(Session, blocker);
        await Session.GotoAsync("/runs/new");

        int study = await new NewRunPage(page).CreateTinyStudyAsync("SadaVsErm", keepCenter: "center-a", ["center-a", "center-b"], seeds: "0",
            expectedCount: "2 variants x 1 held-out center x 1 seed = 2 runs");

        var done = page.GetByTestId("done");
        var table = page.Locator(".sada-study-table");
        var numbers = new Regex(@"^\d+\.\d / \d+\.\d");
        await Expect(done).ToContainTextAsync("0/2 done");
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(2);
        Assert.All(await table.Locator("tbody tr td:nth-child(2)").AllInnerTextsAsync(), t => Assert.DoesNotMatch(numbers, t.Trim()));
        // A marker on the page: a reload would drop it.
        await page.EvaluateAsync("() => window.__sadaNoReload = true");

        await TinyRuns.CancelAsync(Session, blocker);

        await Expect(done).ToContainTextAsync("2/2 done", new() { Timeout = 240_000 });
        var rows = table.Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0).Locator("td").Nth(0)).ToHaveTextAsync("SADA");
        await Expect(rows.Nth(1).Locator("td").Nth(0)).ToHaveTextAsync("ERM");
        await Expect(rows.Nth(0).Locator("td").Nth(1)).ToHaveTextAsync(numbers);
        await Expect(rows.Nth(1).Locator("td").Nth(1)).ToHaveTextAsync(numbers);
        Assert.Equal(2, (await PlotlyCharts.TracesAsync(page, "Held-out accuracy")).Count);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sadaNoReload === true"), "Compare reloaded instead of updating live");
        Assert.EndsWith($"/compare?study={study}", page.Url, StringComparison.Ordinal);
    }
}
