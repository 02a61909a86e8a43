using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Sada.Workbench.Tests.Browser;

/// <summary>
/// One test's browser: a fresh context (own cookies, so its own sign-in) with one page at the screenshot viewport, every
/// console error and uncaught page error collected. <see cref="AssertNoBrowserErrors"/> fails on any error no test
/// declared expected with <see cref="ExpectError"/>.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    public static readonly ViewportSize Viewport = new() { Width = 1400, Height = 900 };

    readonly List<string> _errors = [];
    readonly List<Regex> _expected = [];

    BrowserSession(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error") Add($"console error: {message.Text} ({message.Location})");
        };
        page.PageError += (_, error) => Add($"uncaught: {error}");
        page.Crash += (_, _) => Add("the page crashed");
    }

    public IBrowserContext Context { get; }
    public IPage Page { get; }

    /// <summary>Requests with this context's cookies (the signed-in user), to the workbench.</summary>
    public IAPIRequestContext Api => Context.APIRequest;

    string? _token;

    /// <summary>
    /// A POST to the API as the signed-in user, with the bearer token <see cref="SignInAsync"/> got: state-changing API
    /// calls refuse the browser's cookie (another site could make the browser send it).
    /// </summary>
    public Task<IAPIResponse> PostApiAsync(string path, object? data = null)
    {
        var options = new APIRequestContextOptions
        {
            Headers = new Dictionary<string, string> { ["Authorization"] = $"Bearer {_token ?? throw new InvalidOperationException("sign in first")}" },
        };
        if (data is not null) options.DataObject = data;
        return Api.PostAsync(path, options);
    }

    public static async Task<BrowserSession> OpenAsync(IBrowser browser, Uri baseUrl)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(), ViewportSize = Viewport, Locale = "en-US", TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(15_000);
        context.SetDefaultNavigationTimeout(30_000);
        await context.AddInitScriptAsync(BlazorInteractivity.InitScript);
        return new BrowserSession(context, await context.NewPageAsync());
    }

    /// <summary>Loads <paramref name="path"/> (a new document, so a new circuit) and waits until it is interactive.</summary>
    public async Task GotoAsync(string path)
    {
        await GotoStaticAsync(path);
        await BlazorInteractivity.WaitAsync(Page);
    }

    /// <summary>Loads <paramref name="path"/> without waiting for a circuit (the sign-in page is static HTML).</summary>
    public async Task GotoStaticAsync(string path)
    {
        // Not the load event: the circuit's first render (BlazorInteractivity) is what the tests wait for, and a chart's
        // plotly.js, fetched while the document loads, would hold the load event back.
        var response = await Page.GotoAsync(path, new PageGotoOptions { WaitUntil = WaitUntilState.DOMContentLoaded });
        if (response is { Ok: false })
            throw new InvalidOperationException($"GET {path} answered {response.Status} {response.StatusText}");
    }

    /// <summary>
    /// Signs in through the sign-in page's form (the cookie then serves this context's pages and <see cref="Api"/>),
    /// from <paramref name="returnPath"/>'s redirect when it needs an account, and waits on the page it lands on.
    /// </summary>
    public async Task SignInAsync(string email, string password, string returnPath = "/")
    {
        await GotoStaticAsync(returnPath);
        if (!new Uri(Page.Url).AbsolutePath.Equals("/account/login", StringComparison.OrdinalIgnoreCase))
            await GotoStaticAsync($"/account/login?returnUrl={Uri.EscapeDataString(returnPath)}");
        await FillSignInAsync(email, password);
        await Page.WaitForURLAsync(url => new Uri(url).PathAndQuery == returnPath,
            new PageWaitForURLOptions { WaitUntil = WaitUntilState.DOMContentLoaded });
        await BlazorInteractivity.WaitAsync(Page);
        await Assertions.Expect(Page.GetByTestId("signed-in-as")).ToContainTextAsync(email);
        var login = await Api.PostAsync("/api/account/login", new APIRequestContextOptions { DataObject = new { email, password } });
        Assert.True(login.Ok, $"POST /api/account/login answered {login.Status}: {await login.TextAsync()}");
        _token = System.Text.Json.JsonDocument.Parse(await login.TextAsync()).RootElement.GetProperty("accessToken").GetString();
    }

    /// <summary>Fills and submits the sign-in form on the current page.</summary>
    public async Task FillSignInAsync(string email, string password)
    {
        await Page.Locator("input[name=Email]").FillAsync(email);
        await Page.Locator("input[name=Password]").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>An error this test provokes on purpose (matched against the collected text).</summary>
    public void ExpectError(string pattern) => _expected.Add(new Regex(pattern));

    public IReadOnlyList<string> Errors { get { lock (_errors) return [.. _errors]; } }

    public void AssertNoBrowserErrors()
    {
        var unexpected = Errors.Where(e => !_expected.Any(x => x.IsMatch(e))).ToList();
        Assert.True(unexpected.Count == 0, "The browser reported errors:\n" + string.Join("\n", unexpected));
    }

    void Add(string error) { lock (_errors) _errors.Add(error); }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
