using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Sada.Workbench.Accounts;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Accounts;

/// <summary>Who may do what, through the real middleware: anonymous, reviewer and researcher against pages, API and hub.</summary>
public partial class AccountEndpointsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Anonymous_api_calls_get_401_problem_json_that_says_how_to_sign_in()
    {
        using var client = api.Factory.CreateClient();
        var response = await client.GetAsync("/api/runs");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Sign in first", problem.GetProperty("title").GetString());
        Assert.Contains("POST /api/account/login", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_hub_refuses_a_connection_without_a_token()
    {
        using var client = api.Factory.CreateClient();
        var response = await client.PostAsync("/hubs/runs/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_reviewer_reads_runs_but_gets_403_naming_the_needed_role_when_queueing_or_cancelling()
    {
        using var reviewer = api.Client(WorkbenchRoles.Reviewer);
        Assert.Equal(HttpStatusCode.OK, (await reviewer.GetAsync("/api/runs")).StatusCode);

        var queue = await reviewer.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "zheng" });
        Assert.Equal(HttpStatusCode.Forbidden, queue.StatusCode);
        var problem = await queue.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(WorkbenchPolicies.Refusal(WorkbenchPolicies.Train), problem.GetProperty("detail").GetString());

        using var researcher = api.Client(WorkbenchRoles.Researcher);
        var created = await researcher.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "zheng" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();

        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.PostAsync($"/api/runs/{id}/cancel", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewer.PostAsJsonAsync("/api/studies", new { name = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await researcher.PostAsync($"/api/runs/{id}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task A_page_sends_an_anonymous_visitor_to_sign_in_and_back_after_a_form_sign_in()
    {
        await TestAccounts.EnsureUserAsync(api.Factory.Services, WorkbenchRoles.Reviewer);
        using var client = api.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var page = await client.GetAsync("/compare");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/account/login", page.Headers.Location!.PathAndQuery);

        var form = await client.GetStringAsync(page.Headers.Location);
        var signIn = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = TestAccounts.Email(WorkbenchRoles.Reviewer), ["Password"] = TestAccounts.Password, ["ReturnUrl"] = "/compare",
            ["__RequestVerificationToken"] = AntiforgeryToken(form),
        }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/compare", signIn.Headers.Location!.OriginalString);

        var compare = await client.GetAsync("/compare");
        Assert.Equal(HttpStatusCode.OK, compare.StatusCode);
        Assert.Contains("reviewer@tests.local · Reviewer", (await compare.Content.ReadAsStringAsync()).Replace("<!--!-->", ""));
    }

    [Fact]
    public async Task A_signed_in_reviewer_asking_for_a_researchers_page_lands_on_a_page_that_says_why()
    {
        await TestAccounts.EnsureUserAsync(api.Factory.Services, WorkbenchRoles.Reviewer);
        using var client = api.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var form = await client.GetStringAsync("/account/login");
        await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = TestAccounts.Email(WorkbenchRoles.Reviewer), ["Password"] = TestAccounts.Password, ["ReturnUrl"] = "/",
            ["__RequestVerificationToken"] = AntiforgeryToken(form),
        }));

        var refused = await client.GetAsync("/runs/new");

        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/account/denied", refused.Headers.Location!.PathAndQuery);
        var page = (await client.GetStringAsync(refused.Headers.Location)).Replace("<!--!-->", "");
        Assert.Contains("Your account (Reviewer) may not open /runs/new.", page);
    }

    [Theory]
    [InlineData("https://evil.example/phish")]
    [InlineData("//evil.example/phish")]
    [InlineData("/\\evil.example")]
    public async Task A_wrong_password_returns_to_the_form_with_the_reason_and_never_redirects_off_site(string returnUrl)
    {
        using var client = api.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var form = await client.GetStringAsync("/account/login");
        var signIn = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = "nobody@tests.local", ["Password"] = "wrong-password", ["ReturnUrl"] = returnUrl,
            ["__RequestVerificationToken"] = AntiforgeryToken(form),
        }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var location = signIn.Headers.Location!.OriginalString;
        Assert.StartsWith("/account/login?error=invalid", location);
        Assert.EndsWith("returnUrl=%2F", location);
        Assert.Contains(AccountEndpoints.WrongCredentials, await client.GetStringAsync(location));
    }

    [Theory]
    [InlineData("/\r\nLocation: https://evil.example")]
    [InlineData("/runs\t")]
    [InlineData("/\u007f")]
    public async Task A_malformed_return_url_sends_the_user_home_after_signing_in(string returnUrl)
    {
        await TestAccounts.EnsureUserAsync(api.Factory.Services, WorkbenchRoles.Reviewer);
        using var client = api.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var page = await client.GetAsync("/account/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var signIn = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = TestAccounts.Email(WorkbenchRoles.Reviewer), ["Password"] = TestAccounts.Password, ["ReturnUrl"] = returnUrl,
            ["__RequestVerificationToken"] = AntiforgeryToken(await page.Content.ReadAsStringAsync()),
        }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_and_the_token_endpoint_says_so()
    {
        var email = $"lock-{Guid.NewGuid():N}@tests.local";
        await TestAccountsFor(email);
        using var client = api.Factory.CreateClient();
        for (int i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/account/login", new { email, password = "wrong-password-1" })).StatusCode);

        var response = await client.PostAsJsonAsync("/api/account/login", new { email, password = TestAccounts.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(AccountEndpoints.LockedOut, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    async Task TestAccountsFor(string email)
    {
        using var scope = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.CreateScope(api.Factory.Services);
        var users = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<WorkbenchUsers>(scope.ServiceProvider);
        await users.CreateAsync(email, WorkbenchRoles.Researcher, TestAccounts.Password);
    }

    static string AntiforgeryToken(string html) => TokenPattern().Match(html) is { Success: true } m
        ? WebUtility.HtmlDecode(m.Groups[1].Value)
        : throw new InvalidOperationException("the sign-in form has no antiforgery token");

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
