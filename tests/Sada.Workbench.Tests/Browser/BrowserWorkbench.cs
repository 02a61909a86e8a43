using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sada.Workbench.Datasets;

namespace Sada.Workbench.Tests.Browser;

/// <summary>
/// A test class's browser and the real workbench it drives: Kestrel on a free localhost port, its own temporary data
/// directory with a tiny synthetic set (2 centers x 12 cells at 32 px), a worker that polls and reports often so a tiny
/// run finishes in seconds, and one headless chromium. Each test opens its own <see cref="BrowserSession"/>.
/// </summary>
public sealed class BrowserWorkbench : IAsyncLifetime
{
    static Dictionary<string, string> Settings() => new()
    {
        ["Sada:Worker:PollInterval"] = "00:00:00.200",
        ["Sada:Worker:HeartbeatInterval"] = "00:00:00.500",
        ["Sada:Worker:ProgressInterval"] = "00:00:00.500",
        ["Sada:Worker:Embedding:Budget"] = "20",
        ["Sada:Worker:Embedding:Iterations"] = "250",
        // The server's warnings and errors still reach the test output.
        ["Logging:LogLevel:Default"] = "Warning",
    };

    IPlaywright? _playwright;
    IBrowser? _browser;

    public WorkbenchFactory Factory { get; } = WorkbenchFactory.Synthetic(
        Path.Combine(Path.GetTempPath(), "sada-browser-" + Guid.NewGuid().ToString("N")), Settings(), keepData: false);

    /// <summary>The workbench's address, e.g. http://127.0.0.1:39123/.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The fixture is not initialised.");

    public async Task InitializeAsync()
    {
        // Port 0: Kestrel picks a free port; the app's own Sada:Urls (localhost:5000) is overridden.
        Factory.UseKestrel(0);
        Factory.StartServer();
        var addresses = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = new Uri(addresses.First());
        await Factory.Services.GetRequiredService<SyntheticDatasetSeeder>().Completion;

        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    public Task<BrowserSession> OpenSessionAsync() => BrowserSession.OpenAsync(Browser, BaseUrl);

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        await Factory.DisposeAsync();
    }
}
