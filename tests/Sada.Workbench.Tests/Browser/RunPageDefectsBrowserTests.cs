using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Sada.Workbench.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Sada.Workbench.Tests.Browser;

/// <summary>
/// Run tracking as seen in the browser: Re-run shows the new run, the new-run form explains every refused value under its
/// field, an unknown address is a page of the app, and dark mode is remembered per account.
/// </summary>
public sealed class RunPageDefectsBrowserTests(BrowserWorkbench workbench) : BrowserTest(workbench)
{
    /// <summary>The message line under a form field (MudBlazor's helper line of the field's input control).</summary>
    static ILocator MessageUnder(IPage page, string field) =>
        page.Locator(".mud-input-control").Filter(new() { Has = page.Locator($"input[data-testid={field}]") }).Locator(".mud-input-helper-text");

    [Fact]
    public async Task Re_run_opens_the_new_run_with_its_own_status_and_a_working_Cancel()
    {
        var page = Session.Page;
        await SignInAsync(Session, WorkbenchRoles.Researcher);
        int blocker = await TinyRuns.QueueAsync(Session, TinyRuns.Blocker);
        await using var _ = TinyRuns.CancelAtEnd(Session, blocker);
        await Session.GotoAsync($"/runs/{blocker}");
        var runPage = new RunPage(page);
        await Expect(runPage.Status).ToHaveTextAsync(new Regex("^(Queued|Running)$"), new() { Timeout = 60_000 });
        // Cancelled first, so that Re-run queues a copy while the worker is free to start it or not: either way it is a new run.
        await runPage.Cancel.ClickAsync();
        await Expect(runPage.Status).ToHaveTextAsync("Cancelled", new() { Timeout = 30_000 });
        await Expect(runPage.Cancel).ToBeDisabledAsync();

        await page.GetByTestId("rerun").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex($@"/runs/(?!{blocker}$)\d+$"));
        int rerun = int.Parse(new Uri(page.Url).Segments[^1], CultureInfo.InvariantCulture);
        await using var __ = TinyRuns.CancelAtEnd(Session, rerun);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Run #{rerun}" })).ToBeVisibleAsync();
        // The new run's own status (not the old one's Cancelled), and Cancel works without a reload.
        await Expect(runPage.Status).ToHaveTextAsync(new Regex("^(Queued|Running)$"));
        await Expect(runPage.Cancel).ToBeEnabledAsync();
        await runPage.Cancel.ClickAsync();
        await Expect(runPage.Status).ToHaveTextAsync("Cancelled", new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task The_new_run_form_shows_each_refused_value_under_its_field_and_keeps_text_that_is_not_a_number()
    {
        var page = Session.Page;
        await SignInAsync(Session, WorkbenchRoles.Researcher, "/runs/new");
        var form = new NewRunPage(page);
        await Expect(page.GetByTestId("submit")).ToBeEnabledAsync();

        await form.SetNumberAsync("K", 0);
        await Expect(MessageUnder(page, "K")).ToHaveTextAsync("must be between 1 and 16");
        await Expect(page.GetByTestId("submit")).ToBeDisabledAsync();
        await form.SetNumberAsync("K", 4);
        await Expect(MessageUnder(page, "K")).ToHaveTextAsync("default 3");

        await form.SetNumberAsync("Steps", 100);
        await form.SetNumberAsync("Stage1Steps", 150);
        await Expect(MessageUnder(page, "Stage1Steps")).ToHaveTextAsync("must be at least 0 and below Steps");
        await Expect(page.GetByTestId("submit")).ToBeDisabledAsync();
        await form.SetNumberAsync("Stage1Steps", 50);
        await Expect(page.GetByTestId("submit")).ToBeEnabledAsync();

        var steps = page.Locator("input[data-testid=Steps]");
        await steps.FillAsync("abc");
        await steps.PressAsync("Tab");
        await Expect(MessageUnder(page, "Steps")).ToHaveTextAsync("'abc' is not a number");
        await Expect(steps).ToHaveValueAsync("abc");
        await Expect(page.GetByTestId("submit")).ToBeDisabledAsync();
    }

    [Fact]
    public async Task An_unknown_address_shows_the_not_found_page_with_a_way_home()
    {
        var page = Session.Page;
        await SignInAsync(Session, WorkbenchRoles.Reviewer);
        // The 404 itself is what chromium logs; the page is the app's.
        Session.ExpectError(@"status of 404 \(Not Found\) \(.*/no-such-page");
        var response = await page.GotoAsync("/no-such-page");
        Assert.Equal(404, response!.Status);
        await BlazorInteractivity.WaitAsync(page);
        await Expect(page.GetByTestId("not-found")).ToContainTextAsync("Page not found");
        await Expect(page.GetByTestId("signed-in-as")).ToBeVisibleAsync();
        await page.GetByTestId("not-found-home").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/$"));

        await Session.GotoAsync("/runs/99999");
        await Expect(page.GetByTestId("run-missing")).ToHaveTextAsync("run 99999 does not exist");
    }

    [Fact]
    public async Task Dark_mode_is_remembered_for_the_account_and_others_stay_light()
    {
        var page = Session.Page;
        await SignInAsync(Session, WorkbenchRoles.Researcher);
        const string background = "() => getComputedStyle(document.body).backgroundColor";
        var light = await page.EvaluateAsync<string>(background);
        await Expect(page.GetByTestId("dark-mode")).ToHaveAttributeAsync("aria-pressed", "false");

        await page.GetByTestId("dark-mode").ClickAsync();
        await Expect(page.GetByTestId("dark-mode")).ToHaveAttributeAsync("aria-pressed", "true");
        await page.WaitForFunctionAsync($"() => getComputedStyle(document.body).backgroundColor !== '{light}'");
        var dark = await page.EvaluateAsync<string>(background);

        // A new page (a new circuit) for the same account starts dark.
        await Session.GotoAsync("/runs");
        await Expect(page.GetByTestId("dark-mode")).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.Equal(dark, await page.EvaluateAsync<string>(background));

        // Another account (and the anonymous sign-in page) stays light.
        var other = await OpenSessionAsync();
        await other.GotoStaticAsync("/account/login");
        Assert.NotEqual(dark, await other.Page.EvaluateAsync<string>(background));
        await SignInAsync(other, WorkbenchRoles.Reviewer);
        await Expect(other.Page.GetByTestId("dark-mode")).ToHaveAttributeAsync("aria-pressed", "false");
        Assert.Equal(light, await other.Page.EvaluateAsync<string>(background));

        // Switched back, it stays light.
        await page.GetByTestId("dark-mode").ClickAsync();
        await Expect(page.GetByTestId("dark-mode")).ToHaveAttributeAsync("aria-pressed", "false");
        await Session.GotoAsync("/runs");
        await Expect(page.GetByTestId("dark-mode")).ToHaveAttributeAsync("aria-pressed", "false");
    }
}
