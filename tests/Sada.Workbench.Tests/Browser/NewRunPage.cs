using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Sada.Workbench.Tests.Browser;

/// <summary>The new-run form (/runs/new) as a researcher fills it.</summary>
public sealed class NewRunPage(IPage page)
{
    /// <summary>MudBlazor puts a field's extra attributes (data-testid) on its input.</summary>
    ILocator Input(string testId) => page.Locator($"input[data-testid={testId}], [data-testid={testId}] input").First;

    public async Task SetNumberAsync(string field, double value)
    {
        var input = Input(field);
        await input.FillAsync(value.ToString(CultureInfo.InvariantCulture));
        await input.PressAsync("Tab");
        await Expect(input).ToHaveValueAsync(new Regex("^" + Regex.Escape(value.ToString(CultureInfo.InvariantCulture)) + "$"));
    }

    public async Task ChooseAsync(string field, string option)
    {
        // On a heavily loaded machine (load 50+ on 2 cores) a click can land before the circuit opens the list: open it again.
        for (int attempt = 1; ; attempt++)
        {
            await page.GetByTestId(field).ClickAsync();
            try
            {
                await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync(new() { Timeout = 20_000 });
                break;
            }
            catch (TimeoutException) when (attempt < 3)
            {
                await page.Keyboard.PressAsync("Escape");
            }
        }
        // A MudSelect shows its value as the text of its combobox.
        await Expect(page.GetByTestId(field)).ToHaveTextAsync(option);
    }

    /// <summary>
    /// The tiny SADA run (<see cref="TinyRuns.Sada"/>) on the first center held out, one seed: submitted, the form opens
    /// the run's page; its id is returned.
    /// </summary>
    public async Task<int> QueueTinySadaAsync(int seed)
    {
        await FillTinyConfigAsync();
        await SetSeedsAsync(seed.ToString(CultureInfo.InvariantCulture));
        await Expect(page.GetByTestId("count")).ToContainTextAsync("= 1 run");
        await Expect(page.GetByTestId("submit")).ToBeEnabledAsync();
        await page.GetByTestId("submit").ClickAsync();
        try
        {
            // The form navigates inside the circuit (no page load) to the run's page.
            await Expect(page).ToHaveURLAsync(new Regex(@"/runs/\d+$"), new() { Timeout = 30_000 });
        }
        catch (PlaywrightException e)
        {
            var said = await page.Locator(".mud-alert, .mud-input-error").AllInnerTextsAsync();
            throw new InvalidOperationException($"The new-run form did not open a run page; it says: {string.Join(" | ", said)}", e);
        }
        return int.Parse(new Uri(page.Url).Segments[^1], CultureInfo.InvariantCulture);
    }
    /// <summary>The config fields set to <see cref="TinyRuns.Sada"/>'s values (a tiny run, done in seconds).</summary>
    public async Task FillTinyConfigAsync()
    {
        await Expect(page.GetByTestId("preset-Sada")).ToBeVisibleAsync();
        await ChooseAsync("Backbone", "resnet18");
        await ChooseAsync("Init", "Scratch");
        foreach (var (field, value) in new (string, double)[]
        {
            ("ImageSize", 32), ("BatchPerCenter", 4), ("K", 2), ("LaHiddenDim", 32), ("Steps", 12), ("Stage1Steps", 6), ("EvalEvery", 3), ("LogEvery", 2),
            ("LearningRate", 1e-4),
        })
            await SetNumberAsync(field, value);
    }

    public async Task SetSeedsAsync(string seeds)
    {
        var input = Input("seeds");
        await input.FillAsync(seeds);
        await input.PressAsync("Tab");
    }

    /// <summary>Unticks a held-out center's checkbox (its label carries the click; the input is MudBlazor's hidden one).</summary>
    public async Task UncheckCenterAsync(string center)
    {
        var box = Input($"center-{center}");
        await box.Locator("xpath=ancestor::label[1]").ClickAsync();
        await Expect(box).Not.ToBeCheckedAsync();
    }

    /// <summary>
    /// A tiny study from a preset button (e.g. "SadaVsErm") over the tiny config, with one held-out center and the given
    /// seeds: submitted, the form opens the study on Compare; the study's id is returned.
    /// </summary>
    public async Task<int> CreateTinyStudyAsync(string preset, string keepCenter, IReadOnlyList<string> centers, string seeds, string expectedCount)
    {
        await FillTinyConfigAsync();
        await page.GetByTestId($"preset-{preset}").ClickAsync();
        await Expect(page.GetByTestId("grid")).ToBeVisibleAsync();
        foreach (var center in centers.Where(c => c != keepCenter)) await UncheckCenterAsync(center);
        await SetSeedsAsync(seeds);
        await Expect(page.GetByTestId("count")).ToContainTextAsync(expectedCount);
        await Expect(page.GetByTestId("submit")).ToBeEnabledAsync();
        await page.GetByTestId("submit").ClickAsync();
        try
        {
            await Expect(page).ToHaveURLAsync(new Regex(@"/compare\?study=\d+$"), new() { Timeout = 30_000 });
        }
        catch (PlaywrightException e)
        {
            var said = await page.Locator(".mud-alert, .mud-input-error, .mud-error-text").AllInnerTextsAsync();
            throw new InvalidOperationException($"The new-run form did not open the study on Compare; it says: {string.Join(" | ", said)}", e);
        }
        return int.Parse(new Uri(page.Url).Query.Split('=')[^1], CultureInfo.InvariantCulture);
    }
}
