namespace Sada.Workbench.Tests.Browser;

/// <summary>
/// A browser test: the class shares its <see cref="BrowserWorkbench"/> (one workbench, one chromium); each test gets a
/// fresh <see cref="BrowserSession"/> and fails, after its own assertions, on any browser error it did not expect.
/// </summary>
[Collection(BrowserCollection.Name)]
public abstract class BrowserTest(BrowserWorkbench workbench) : IClassFixture<BrowserWorkbench>, IAsyncLifetime
{
    protected BrowserWorkbench Workbench => workbench;
    protected BrowserSession Session { get; private set; } = null!;

    public async Task InitializeAsync() => Session = await workbench.OpenSessionAsync();

    public async Task DisposeAsync()
    {
        try { Session.AssertNoBrowserErrors(); }
        finally { await Session.DisposeAsync(); }
    }
}
