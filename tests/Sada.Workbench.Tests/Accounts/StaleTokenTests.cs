using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Sada.Data.Runs.Events;
using Sada.Workbench.Accounts;
using Sada.Workbench.Runs;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Accounts;

/// <summary>A bearer token follows its account: a role change, a password reset or a deletion ends its old rights, on the API and the hub.</summary>
public sealed class StaleTokenTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    async Task<(string Id, string Token)> NewAccountAsync(string role)
    {
        var email = $"stale-{Guid.NewGuid():N}@tests.local";
        await using var scope = api.Factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<WorkbenchUsers>().CreateAsync(email, role, TestAccounts.Password);
        var id = (await scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>().FindByEmailAsync(email))!.Id;
        using var client = api.Factory.CreateClient();
        var login = await client.PostAsJsonAsync("/api/account/login", new { email, password = TestAccounts.Password });
        login.EnsureSuccessStatusCode();
        return (id, (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!);
    }

    HttpClient Client(string token)
    {
        var client = api.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    async Task ChangeAsync(Func<WorkbenchUsers, Task> change)
    {
        await using var scope = api.Factory.Services.CreateAsyncScope();
        await change(scope.ServiceProvider.GetRequiredService<WorkbenchUsers>());
    }

    static async Task AssertStaleAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(CheckedBearerHandler.Stale, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_demoted_researchers_token_can_no_longer_queue_runs()
    {
        var (id, token) = await NewAccountAsync(WorkbenchRoles.Researcher);
        using var client = Client(token);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "zheng" })).StatusCode);

        await ChangeAsync(users => users.SetRoleAsync(id, WorkbenchRoles.Reviewer));

        await AssertStaleAsync(await client.PostAsJsonAsync("/api/runs", new { dataset = "cells", heldOut = "zheng" }));
        await AssertStaleAsync(await client.GetAsync("/api/runs"));
    }

    [Fact]
    public async Task A_reset_password_ends_the_tokens_issued_before_it()
    {
        var (id, token) = await NewAccountAsync(WorkbenchRoles.Reviewer);
        using var client = Client(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/runs")).StatusCode);

        await ChangeAsync(users => users.ResetPasswordAsync(id));

        await AssertStaleAsync(await client.GetAsync("/api/runs"));
    }

    [Fact]
    public async Task A_deleted_accounts_token_neither_reads_runs_nor_joins_the_hub()
    {
        var (id, token) = await NewAccountAsync(WorkbenchRoles.Reviewer);
        using var client = Client(token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/runs")).StatusCode);
        await using var connected = Hub(token);
        await connected.StartAsync();

        var adminId = (await api.Factory.Services.CreateAsyncScope().ServiceProvider.GetRequiredService<UserManager<IdentityUser>>()
            .FindByEmailAsync("admin@sada.local"))!.Id;
        await ChangeAsync(users => users.DeleteAsync(id, adminId));

        await AssertStaleAsync(await client.GetAsync("/api/runs"));
        using (var negotiate = Client(token))
            Assert.Equal(HttpStatusCode.Unauthorized, (await negotiate.PostAsync("/hubs/runs/negotiate?negotiateVersion=1", null)).StatusCode);
        await using var fresh = Hub(token);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => fresh.StartAsync());
        // The connection made before the deletion is refused at its next call and closed.
        await Assert.ThrowsAnyAsync<Exception>(() => connected.InvokeAsync<RunHistoryMessage>(nameof(RunsHub.SubscribeRun), 1));
        for (int i = 0; i < 100 && connected.State != HubConnectionState.Disconnected; i++) await Task.Delay(100);
        Assert.Equal(HubConnectionState.Disconnected, connected.State);
    }

    HubConnection Hub(string token)
    {
        var server = api.Factory.Server;
        return new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, RunsHub.Path.TrimStart('/')), o =>
            {
                o.HttpMessageHandlerFactory = _ => server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
    }

    [Fact]
    public async Task A_stamp_changed_by_another_process_takes_effect_within_a_minute()
    {
        var (id, _) = await NewAccountAsync(WorkbenchRoles.Reviewer);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var check = new SecurityStampCheck(api.Factory.Services.GetRequiredService<IServiceScopeFactory>(),
            api.Factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<IdentityOptions>>(), clock);
        await using var scope = api.Factory.Services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var user = (await manager.FindByIdAsync(id))!;
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, id), new Claim("AspNet.Identity.SecurityStamp", (await manager.GetSecurityStampAsync(user))!),
        ], "test"));
        Assert.True(await check.IsCurrentAsync(principal));

        // Changed behind this check's back (as another server would): trusted for at most a minute.
        await manager.UpdateSecurityStampAsync(user);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.True(await check.IsCurrentAsync(principal));
        clock.Advance(TimeSpan.FromSeconds(31));
        Assert.False(await check.IsCurrentAsync(principal));
    }
}
