using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sada.Workbench.Accounts;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Accounts;

/// <summary>
/// A post forged from another site carries the browser's sign-in cookie but no antiforgery token: every endpoint that
/// changes state refuses it (the API takes bearer tokens only; the form endpoints check the token).
/// </summary>
public sealed partial class CrossSitePostTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    /// <summary>A client holding an admin's sign-in cookie, as a browser does after signing in on the form.</summary>
    async Task<HttpClient> CookieClientAsync()
    {
        var client = api.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await client.GetStringAsync("/account/login");
        var signIn = await client.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = "admin@sada.local", ["Password"] = TestAccounts.Password, ["ReturnUrl"] = "/",
            ["__RequestVerificationToken"] = AntiforgeryToken(form),
        }));
        Assert.Equal("/", signIn.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/compare")).StatusCode);
        return client;
    }

    /// <summary>Every POST, PUT, PATCH and DELETE route the app maps, with its parameters filled in.</summary>
    List<(string Method, string Path, bool Anonymous)> StateChangingRoutes()
    {
        var routes = new List<(string, string, bool)>();
        foreach (var endpoint in api.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [];
            var path = "/" + Parameter().Replace(endpoint.RoutePattern.RawText!.TrimStart('/'), "1");
            bool anonymous = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null;
            foreach (var method in methods.Where(m => m is "POST" or "PUT" or "PATCH" or "DELETE"))
                if (!path.StartsWith("/_blazor", StringComparison.Ordinal) && !path.StartsWith("/hubs", StringComparison.Ordinal))
                    routes.Add((method, path, anonymous));
        }
        return routes;
    }

    [Fact]
    public async Task Every_state_changing_api_endpoint_refuses_the_sign_in_cookie()
    {
        using var client = await CookieClientAsync();
        var api = StateChangingRoutes().Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal) && !r.Anonymous).ToList();
        Assert.Contains(api, r => r.Path == "/api/runs/1/cancel");
        Assert.Contains(api, r => r.Path == "/api/runs/1/tsne");
        Assert.Contains(api, r => r.Path == "/api/runs/1/predict");
        Assert.Contains(api, r => r.Path == "/api/studies/");
        foreach (var (method, path, _) in api)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {response.StatusCode} to a cookie");
            Assert.Equal(ApiAuthorizationResultHandler.CookieRefused, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }
        // Reading stays open to the cookie (the pages' images and downloads use it).
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/runs")).StatusCode);
    }

    [Fact]
    public async Task Form_endpoints_refuse_a_post_without_the_antiforgery_token()
    {
        using var client = await CookieClientAsync();
        var forms = StateChangingRoutes().Where(r => !r.Path.StartsWith("/api/", StringComparison.Ordinal)).ToList();
        Assert.Contains(forms, r => r.Path == "/account/logout");
        foreach (var (method, path, _) in forms)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new FormUrlEncodedContent([]) };
            var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} answered {response.StatusCode} without an antiforgery token");
        }
        // Still signed in: the forged sign-out did nothing.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/compare")).StatusCode);
    }

    [Fact]
    public async Task Sign_out_with_the_layouts_token_signs_out()
    {
        using var client = await CookieClientAsync();
        var page = await client.GetStringAsync("/compare");
        var signOut = await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
        }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal("/account/login?signedOut=true", signOut.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/compare")).StatusCode);
    }

    static string AntiforgeryToken(string html) => TokenPattern().Match(html) is { Success: true } m
        ? WebUtility.HtmlDecode(m.Groups[1].Value)
        : throw new InvalidOperationException("the page has no antiforgery token");

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
