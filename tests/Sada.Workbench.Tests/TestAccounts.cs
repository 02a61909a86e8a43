using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Sada.Workbench.Accounts;

namespace Sada.Workbench.Tests;

/// <summary>
/// Signed-in test clients: one account per role (role@tests.local), made through Identity's UserManager, signed in
/// through the real token endpoint, so tests exercise the same authentication scripts use.
/// </summary>
public static class TestAccounts
{
    public const string Password = "Tests-only-password-1";

    static readonly ConditionalWeakTable<object, Dictionary<string, string>> Tokens = new();

    public static string Email(string role) => $"{role.ToLowerInvariant()}@tests.local";

    /// <summary>Creates the role's test account once per app.</summary>
    public static async Task EnsureUserAsync(IServiceProvider services, string role)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.FindByEmailAsync(Email(role)) is not null) return;
        await scope.ServiceProvider.GetRequiredService<WorkbenchUsers>().CreateAsync(Email(role), role, Password);
    }

    /// <summary>A bearer token for the role's test account (made and cached per app).</summary>
    public static async Task<string> TokenAsync(this WebApplicationFactory<Program> factory, string role)
    {
        var cache = Tokens.GetOrCreateValue(factory);
        lock (cache)
            if (cache.TryGetValue(role, out var cached)) return cached;
        await EnsureUserAsync(factory.Services, role);
        using var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync("/api/account/login", new { email = Email(role), password = Password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        lock (cache) cache[role] = token;
        return token;
    }

    /// <summary>An HTTP client signed in with the role (Admin unless told).</summary>
    public static HttpClient SignedInClient(this WebApplicationFactory<Program> factory, string role = WorkbenchRoles.Admin)
    {
        var token = factory.TokenAsync(role).GetAwaiter().GetResult();
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    sealed record TokenResponse(string AccessToken);
}
