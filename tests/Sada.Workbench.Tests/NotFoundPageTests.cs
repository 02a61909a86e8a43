using System.Net;

namespace Sada.Workbench.Tests;

/// <summary>An address no page has answers 404 with a page of the app (its layout, a link home), not a blank page; an unknown run's page says so.</summary>
public class NotFoundPageTests : IClassFixture<WorkbenchFactory>
{
    readonly WorkbenchFactory _factory;
    public NotFoundPageTests(WorkbenchFactory factory) => _factory = factory;

    [Theory]
    [InlineData("/no-such-page")]
    [InlineData("/runs/not-a-number")]
    [InlineData("/datasets/a/b/c")]
    public async Task An_unknown_address_answers_404_with_the_not_found_page_in_the_app_layout(string path)
    {
        using var client = _factory.SignedInClient();
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.ToString());
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"not-found\"", html);
        Assert.Contains("Page not found", html);
        Assert.Contains("data-testid=\"not-found-home\"", html);
        Assert.Contains("mud-appbar", html);
        Assert.Contains("_framework/blazor.web", html);
    }

    [Fact]
    public async Task Anonymous_visitors_get_the_not_found_page_too()
    {
        using var client = _factory.CreateClient(new() { AllowAutoRedirect = false });
        var response = await client.GetAsync("/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_post_to_an_unknown_address_is_a_bare_404_not_a_page()
    {
        using var client = _factory.SignedInClient();
        var response = await client.PostAsync("/no-such-page", new FormUrlEncodedContent([]));
        // 405 when a page route matches the address for GET only.
        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"answered {response.StatusCode}");
        Assert.DoesNotContain("Page not found", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_api_address_still_answers_problem_json()
    {
        using var client = _factory.SignedInClient();
        var response = await client.GetAsync("/api/no-such-endpoint");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_unknown_run_id_opens_the_run_page_saying_the_run_does_not_exist()
    {
        using var client = _factory.SignedInClient();
        var html = await client.GetStringAsync("/runs/99999");
        Assert.Contains("run 99999 does not exist", html);
    }
}
