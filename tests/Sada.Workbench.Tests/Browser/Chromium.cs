using Microsoft.Playwright;

namespace Sada.Workbench.Tests.Browser;

/// <summary>
/// Debian's chromium, driven by Playwright's node driver (which the NuGet package carries). Nothing downloads a browser:
/// a machine without /usr/bin/chromium fails the browser tests with what to install.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException(
                $"The browser tests drive Debian's chromium at {ExecutablePath}, which is missing: install it with " +
                "`sudo apt-get install -y chromium` (.ci/run does this before `dotnet test`).");
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // No sandbox (CI runs as root in a container), no GPU here, and /dev/shm is small in containers.
            Args = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-dev-shm-usage"],
        });
    }
}
