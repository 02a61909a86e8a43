using Microsoft.Playwright;

namespace Sada.Workbench.Tests.Browser;

/// <summary>
/// The README's page screenshots, taken by the browser tests themselves: full-page PNGs at the sessions' fixed viewport
/// (1400x900) into docs/images/page-NAME.png, only when SADA_SCREENSHOTS=1, so an ordinary test run leaves the tracked
/// images alone. Without it the tours still visit and check every page.
/// </summary>
public static class Screenshots
{
    public const string Variable = "SADA_SCREENSHOTS";

    public static bool Enabled => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>docs/images of the repository these tests were built from.</summary>
    public static string Directory { get; } = Path.Combine(RepositoryRoot(), "docs", "images");

    public static async Task TakeAsync(IPage page, string name)
    {
        if (!Enabled) return;
        // From the top: a page scrolled by a click would draw its fixed app bar mid-page in a full-page capture.
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(Directory, $"page-{name}.png"), FullPage = true,
            Animations = ScreenshotAnimations.Disabled, Caret = ScreenshotCaret.Hide,
        });
    }

    /// <summary>One element of the page (a chart's panel), scrolled into view, into docs/images/page-NAME.png.</summary>
    public static async Task TakeElementAsync(ILocator element, string name)
    {
        if (!Enabled) return;
        await element.ScrollIntoViewIfNeededAsync();
        await element.ScreenshotAsync(new LocatorScreenshotOptions
        {
            Path = Path.Combine(Directory, $"page-{name}.png"), Animations = ScreenshotAnimations.Disabled, Caret = ScreenshotCaret.Hide,
        });
    }

    /// <summary>
    /// One part of a page (an element, e.g. the run overview) into docs/images/page-NAME.png: cut from a full-page capture
    /// taken from the top, so the fixed app bar stays at the top of the document and never covers the element.
    /// </summary>
    public static async Task TakeElementAsync(IPage page, ILocator element, string name)
    {
        if (!Enabled) return;
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        // Its size once settled (an expansion panel animates open): two equal measures 250 ms apart.
        var box = await element.BoundingBoxAsync() ?? throw new InvalidOperationException($"{name}: the element is not on the page");
        for (int i = 0; i < 40; i++)
        {
            await page.WaitForTimeoutAsync(250);
            var again = await element.BoundingBoxAsync() ?? box;
            if (again.Height == box.Height && again.Width == box.Width) break;
            box = again;
        }
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(Directory, $"page-{name}.png"), FullPage = true, Clip = new Clip { X = box.X, Y = box.Y, Width = box.Width, Height = box.Height },
            Animations = ScreenshotAnimations.Disabled, Caret = ScreenshotCaret.Hide,
        });
    }

    /// <summary>
    /// Waits until the page has at least <paramref name="count"/> Plotly charts and every one of them is drawn (plotly marks
    /// a drawn graph div with js-plotly-plot; Plotly.Blazor's divs are PlotlyChart&lt;n&gt;).
    /// </summary>
    public static Task WaitForChartsAsync(IPage page, int count) => page.WaitForFunctionAsync("""
        (n) => {
          const charts = [...document.querySelectorAll('div[id^=PlotlyChart]')];
          return charts.length >= n && charts.every(c => c.classList.contains('js-plotly-plot') && c.querySelector('.main-svg'));
        }
        """, count);

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sada.Workbench.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Sada.Workbench.sln above {AppContext.BaseDirectory}");
    }
}
