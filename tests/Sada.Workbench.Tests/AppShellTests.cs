using System.Net;

namespace Sada.Workbench.Tests;

public class AppShellTests : IClassFixture<WorkbenchFactory>
{
    readonly WorkbenchFactory _factory;
    public AppShellTests(WorkbenchFactory factory) => _factory = factory;

    [Fact]
    public async Task Home_serves_the_mudblazor_shell_with_navigation()
    {
        using var client = _factory.SignedInClient();
        var html = await client.GetStringAsync("/");
        Assert.Contains("mud-appbar", html);
        Assert.Contains("mud-drawer", html);
        foreach (var link in new[] { "href=\"datasets\"", "href=\"runs\"", "href=\"compare\"" })
            Assert.Contains(link, html);
        Assert.Contains("_framework/blazor.web", html);
    }

    [Theory]
    [InlineData("/datasets", "No dataset is registered yet")]
    [InlineData("/runs", "No run yet")]
    [InlineData("/compare", "No completed run to compare yet")]
    public async Task Pages_render_from_the_database(string path, string expected)
    {
        using var client = _factory.SignedInClient();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/_content/MudBlazor/MudBlazor.min.css")]
    [InlineData("/app.css")]
    public async Task Static_assets_from_packages_and_the_root_wwwroot_are_served(string path)
    {
        using var client = _factory.SignedInClient();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
