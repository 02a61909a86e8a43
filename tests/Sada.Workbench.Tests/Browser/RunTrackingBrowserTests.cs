using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sada.Data.Runs;
using Sada.Workbench.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Sada.Workbench.Tests.Browser;

/// <summary>
/// Run tracking in the browser: a run queued elsewhere appears on the open runs table and finishes there live; a researcher
/// names and tags a run on its overview, finds it by search and by tag, filters and sorts the table, and compares two
/// selected runs.
/// </summary>
public sealed class RunTrackingBrowserTests(BrowserWorkbench workbench) : BrowserTest(workbench)
{
    static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    ILocator Rows => Session.Page.GetByTestId("runs-table").Locator("tbody tr");

    /// <summary>The run ids in the table's order (its # column).</summary>
    async Task<List<int>> ShownIdsAsync() =>
        (await Rows.Locator("td:nth-child(2)").AllInnerTextsAsync()).Select(t => int.Parse(t.Trim(), CultureInfo.InvariantCulture)).ToList();

    async Task ExpectIdsAsync(params int[] ids)
    {
        var expected = string.Join(",", ids);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        List<int> shown = [];
        while (DateTime.UtcNow < deadline)
        {
            try { shown = await ShownIdsAsync(); }
            catch (FormatException) { shown = []; }
            if (string.Join(",", shown) == expected) return;
            await Session.Page.WaitForTimeoutAsync(200);
        }
        Assert.Fail($"the runs table shows {string.Join(",", shown)}, not {expected}");
    }

    [Fact]
    public async Task A_researcher_names_tags_finds_filters_sorts_and_compares_runs_and_the_table_follows_them_live()
    {
        var page = Session.Page;
        await SignInAsync(Session, WorkbenchRoles.Researcher);
        int first = await TinyRuns.QueueAsync(Session, TinyRuns.Sada, seed: 1);

        // The table is open when the second run is queued (by the API, as another person would): it appears and finishes live.
        await Session.GotoAsync("/runs");
        await Expect(Rows.Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = Id(first), Exact = true }) })).ToHaveCountAsync(1);
        int second = await TinyRuns.QueueAsync(Session, TinyRuns.Sada, seed: 2);
        var secondRow = Rows.Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = Id(second), Exact = true }) });
        await Expect(secondRow).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Expect(secondRow.GetByTestId("run-status")).ToHaveTextAsync("Completed", new() { Timeout = 120_000 });
        await Expect(secondRow.GetByTestId("run-step")).ToHaveTextAsync("12 / 12");
        await Expect(secondRow.GetByTestId("run-f1-micro")).ToHaveTextAsync(new Regex(@"^\d+\.\d$"));

        // Name and tag the first run on its overview.
        await Session.GotoAsync($"/runs/{first}");
        await Expect(new RunPage(page).Status).ToHaveTextAsync("Completed", new() { Timeout = 120_000 });
        await Expect(page.GetByTestId("run-overview")).ToContainTextAsync(TinyRuns.HeldOut);
        await page.GetByTestId("edit-annotations").ClickAsync();
        await page.Locator("input[data-testid=edit-name]").FillAsync("baseline seed one");
        await page.Locator("input[data-testid=edit-tags]").FillAsync("Paper, tiny");
        await page.Locator("textarea[data-testid=edit-notes]").FillAsync("the first of two");
        await page.GetByTestId("save-annotations").ClickAsync();
        await Expect(page.GetByTestId("run-name")).ToHaveTextAsync("baseline seed one");
        await Expect(page.GetByTestId("run-tag")).ToHaveTextAsync(["paper", "tiny"]);
        // Its config: the tiny run's changes from the SADA defaults are marked.
        await page.GetByTestId("config-panel").ClickAsync();
        await Expect(page.Locator("tr[data-field=imageSize]")).ToHaveAttributeAsync("data-changed", "true");
        await Expect(page.Locator("tr[data-field=temperature]")).ToHaveAttributeAsync("data-changed", "false");

        // Find it by search and by tag.
        await Session.GotoAsync("/runs");
        await ExpectIdsAsync(second, first);
        await Expect(Rows.Filter(new() { HasText = "baseline seed one" }).GetByTestId("run-tag")).ToHaveTextAsync(["paper", "tiny"]);
        await page.Locator("input[data-testid=runs-search]").FillAsync("SEED ONE");
        await ExpectIdsAsync(first);
        await Expect(page.GetByTestId("runs-total")).ToHaveTextAsync("1 run");
        await page.Locator("input[data-testid=runs-search]").FillAsync("");
        await ExpectIdsAsync(second, first);
        var filters = new NewRunPage(page);
        await filters.ChooseAsync("filter-tag", "paper");
        await ExpectIdsAsync(first);

        // Filter by status (both completed) after clearing the tag, then sort by F1-micro both ways, as the catalog orders them.
        await Session.GotoAsync("/runs");
        await filters.ChooseAsync("filter-status", "Completed");
        await ExpectIdsAsync(second, first);
        var catalog = Workbench.Factory.Services.GetRequiredService<RunCatalog>();
        var ascending = (await catalog.ListAsync(new RunFilter { Sort = new RunSort(RunSortField.F1Micro, false) })).Select(r => r.Id).Where(id => id == first || id == second).ToArray();
        var header = page.GetByTestId("runs-table").Locator("th").Filter(new() { HasText = "F1-micro" });
        await header.Locator(".sortable-column-header").ClickAsync();
        await ExpectIdsAsync(ascending);
        await header.Locator(".sortable-column-header").ClickAsync();
        await ExpectIdsAsync([.. ascending.Reverse()]);

        // Select both and compare them.
        foreach (var id in new[] { first, second })
            await Rows.Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = Id(id), Exact = true }) }).Locator(".mud-checkbox").ClickAsync();
        await Expect(page.GetByTestId("compare-selected")).ToHaveTextAsync("Compare selected (2)");
        await page.GetByTestId("compare-selected").ClickAsync();
        var ids = string.Join(",", new[] { first, second }.Order());
        await Expect(page).ToHaveURLAsync(new Regex($"/compare\\?runs={Regex.Escape(ids)}$"));
        await Expect(page.Locator(".sada-study-table thead")).ToContainTextAsync(TinyRuns.HeldOut);
        var curves = (await PlotlyCharts.TracesAsync(page, "Held-out accuracy")).Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal([$"#{first} sada {TinyRuns.HeldOut} s1", $"#{second} sada {TinyRuns.HeldOut} s2"], curves);
        await Expect(page.GetByTestId("selection-csv")).ToHaveAttributeAsync("href", $"/api/runs/table.csv?ids={ids}");
    }
}
