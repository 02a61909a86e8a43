namespace Sada.Workbench.Tests.Browser;

/// <summary>
/// A browser test: the class shares its <see cref="BrowserWorkbench"/> (one workbench, one chromium); each test gets a
/// fresh <see cref="BrowserSession"/> and fails, after its own assertions, on any browser error it did not expect.
/// </summary>
[Collection(BrowserCollection.Name)]
public abstract class BrowserTest(BrowserWorkbench workbench) : IClassFixture<BrowserWorkbench>, IAsyncLifetime
{
    protected BrowserWorkbench Workbench => workbench;
    readonly List<BrowserSession> _sessions = [];

    /// <summary>The test's first session.</summary>
    protected BrowserSession Session => _sessions[0];

    /// <summary>Another person at the same time: a session of its own (own cookies), checked like the first.</summary>
    protected async Task<BrowserSession> OpenSessionAsync()
    {
        var session = await workbench.OpenSessionAsync();
        _sessions.Add(session);
        return session;
    }

    /// <summary>Signs <paramref name="session"/> in as the role's test account (role@tests.local), made if missing.</summary>
    protected async Task SignInAsync(BrowserSession session, string role, string returnPath = "/")
    {
        await TestAccounts.EnsureUserAsync(workbench.Factory.Services, role);
        await session.SignInAsync(TestAccounts.Email(role), TestAccounts.Password, returnPath);
    }

    public async Task InitializeAsync() => await OpenSessionAsync();

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var session in _sessions) session.AssertNoBrowserErrors();
        }
        finally
        {
            foreach (var session in _sessions) await session.DisposeAsync();
        }
    }
}
