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
        await page.GetByTestId(field).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
        // A MudSelect shows its value as the text of its combobox.
        await Expect(page.GetByTestId(field)).ToHaveTextAsync(option);
    }

    /// <summary>
    /// The tiny SADA run (<see cref="TinyRuns.Sada"/>) on the first center held out, one seed: submitted, the form opens
    /// the run's page; its id is returned.
    /// </summary>
    public async Task<int> QueueTinySadaAsync(int seed)
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
        var seeds = Input("seeds");
        await seeds.FillAsync(seed.ToString(CultureInfo.InvariantCulture));
        await seeds.PressAsync("Tab");
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
}
