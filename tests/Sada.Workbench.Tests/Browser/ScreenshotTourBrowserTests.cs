using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sada.Data.Runs;
using Sada.Workbench.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Sada.Workbench.Tests.Browser;

/// <summary>
/// Every page once, interactive and without a browser error, with a completed tiny run to show; with SADA_SCREENSHOTS=1
/// each is photographed into docs/images for the README.
/// </summary>
public sealed class ScreenshotTourBrowserTests(BrowserWorkbench workbench) : BrowserTest(workbench)
{
    [Fact]
    public async Task Every_page_renders_interactive_with_a_completed_run_and_is_photographed()
    {
        var page = Session.Page;
        // Anonymous: any page sends to the sign-in page, which comes back after signing in.
        await Session.GotoStaticAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/account/login"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(page, "sign-in");
        await SignInAsync(Session, WorkbenchRoles.Admin);
        int run = await TinyRuns.QueueAsync(Session, TinyRuns.Sada);

        await Session.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sada Workbench", Level = 4 })).ToBeVisibleAsync();
        await Expect(page.Locator(".mud-paper").Filter(new() { HasText = "Datasets" })).ToContainTextAsync("1");
        await Screenshots.TakeAsync(page, "home");

        await page.GetByRole(AriaRole.Link, new() { Name = "Datasets" }).First.ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/datasets$"));
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = TinyRuns.Dataset })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = TinyRuns.Dataset }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/datasets/\d+$"));
        await Expect(page.GetByTestId("counts")).ToContainTextAsync("center-b");
        await Expect(page.GetByTestId("fingerprints")).ToBeVisibleAsync();
        await page.GetByTestId("preview-cells").Locator("img[data-cell]").First.ClickAsync();
        await Expect(page.GetByTestId("preview-target")).ToHaveCountAsync(1);
        // Every contact sheet loaded (the images are lazy: bring them into view first).
        foreach (var sheet in await page.GetByTestId("sheet").AllAsync()) await sheet.ScrollIntoViewIfNeededAsync();
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('img[data-testid=sheet]')].every(i => i.complete && i.naturalWidth > 0)");
        await Screenshots.WaitForChartsAsync(page, 1);
        await Screenshots.TakeAsync(page, "dataset");

        await Session.GotoAsync($"/runs/{run}");
        var runPage = new RunPage(page);
        await Expect(runPage.Status).ToHaveTextAsync("Completed", new() { Timeout = 120_000 });
        // Named, tagged and noted (as the overview's editor saves them), so the overview and the runs table show them.
        await Workbench.Factory.Services.GetRequiredService<RunAnnotations>().UpdateAsync(run,
            new RunAnnotationChange("tiny SADA, center-b held out", ["tour", "tiny"], "A 12-step SADA run on 32 px cells: the screenshot tour's run."));
        await Session.GotoAsync($"/runs/{run}");
        await Expect(page.GetByTestId("run-name")).ToHaveTextAsync("tiny SADA, center-b held out");
        // Losses, accuracy and F1, confusion, recall, and the t-SNE after each stage.
        await Screenshots.WaitForChartsAsync(page, 6);
        await Expect(page.GetByTestId("log")).ToContainTextAsync("t-SNE 'final'");
        await Screenshots.TakeAsync(page, "run");
        // The step-level losses, smoothed (the default 0.6) over the raw series, with the stage switch labelled.
        var losses = page.GetByTestId("loss-chart");
        await Expect(losses).ToContainTextAsync("0.60");
        await Expect(losses.Locator(".annotation-text")).ToHaveTextAsync("stage 2");
        await Screenshots.TakeElementAsync(losses, "run-losses");

        await page.GetByTestId("config-panel").ClickAsync();
        await Expect(page.Locator("tr[data-field=imageSize]")).ToHaveAttributeAsync("data-changed", "true");
        // The panel has finished opening: its last field is shown.
        await Expect(page.Locator("tr[data-field=swadToleranceRatio]")).ToBeVisibleAsync();
        await Screenshots.TakeElementAsync(page, page.GetByTestId("run-overview"), "run-overview");

        await Session.GotoAsync("/runs");
        var row = page.Locator("tr").Filter(new() { Has = page.GetByRole(AriaRole.Cell, new() { Name = run.ToString(CultureInfo.InvariantCulture), Exact = true }) });
        await Expect(row).ToContainTextAsync("Completed");
        await Expect(row.GetByTestId("run-tag")).ToHaveTextAsync(["tiny", "tour"]);
        await Screenshots.TakeAsync(page, "runs");

        await Session.GotoAsync($"/runs/new?from={run}");
        await Expect(page.GetByTestId("from")).ToContainTextAsync($"run #{run}");
        await Expect(page.GetByTestId("count")).ToContainTextAsync("= 1 run");
        await Screenshots.TakeAsync(page, "new-run");

        await Session.GotoAsync("/compare");
        await page.Locator("tr").Filter(new() { Has = page.GetByRole(AriaRole.Cell, new() { Name = run.ToString(CultureInfo.InvariantCulture), Exact = true }) })
            .Locator(".mud-checkbox").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare selected (1)" }).ClickAsync();
        await Expect(page.Locator(".sada-study-table tbody tr")).ToHaveCountAsync(1);
        // The F1-macro bars and the held-out accuracy curves.
        await Screenshots.WaitForChartsAsync(page, 2);
        await Screenshots.TakeAsync(page, "compare");

        await Session.GotoAsync($"/review?run={run}");
        await page.GetByTestId("run-row").GetByRole(AriaRole.Button, new() { Name = "Details" }).ClickAsync();
        await page.GetByTestId("gallery-start").ClickAsync();
        await Expect(page.GetByTestId("gallery-count")).ToContainTextAsync("held-out cells", new() { Timeout = 60_000 });
        // Recall and confusion of the selected evaluation.
        await Screenshots.WaitForChartsAsync(page, 2);
        await Screenshots.TakeAsync(page, "review");

        await Session.GotoAsync($"/predict?run={run}");
        await Expect(page.GetByTestId("run-info")).ToContainTextAsync($"Held out {TinyRuns.HeldOut}");
        var cell = Directory.EnumerateFiles(Path.Combine(Workbench.Factory.DataDirectory, "images"), "*.png", SearchOption.AllDirectories).First();
        await page.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "cell.png", MimeType = "image/png", Buffer = File.ReadAllBytes(cell) });
        await Expect(page.GetByTestId("predicted")).ToHaveTextAsync(new Regex(@"^\w+ \(\d+(\.\d)? ?%\)$"), new() { Timeout = 30_000 });
        await Screenshots.WaitForChartsAsync(page, 1);
        await Screenshots.TakeAsync(page, "predict");

        await page.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/admin/users$"));
        foreach (var role in WorkbenchRoles.All.Where(r => r != WorkbenchRoles.Admin))
            await TestAccounts.EnsureUserAsync(Workbench.Factory.Services, role);
        await Session.GotoAsync("/admin/users");
        await Expect(page.GetByRole(AriaRole.Cell, new() { Name = TestAccounts.Email(WorkbenchRoles.Reviewer) })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(page, "users");

        await page.GetByRole(AriaRole.Link, new() { Name = "My account" }).ClickAsync();
        await Expect(page.GetByText("Signed in as")).ToContainTextAsync(TestAccounts.Email(WorkbenchRoles.Admin));
        await Screenshots.TakeAsync(page, "account");
    }
}
