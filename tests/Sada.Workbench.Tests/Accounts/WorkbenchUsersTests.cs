using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Sada.Workbench.Accounts;

namespace Sada.Workbench.Tests.Accounts;

/// <summary>The account rules that keep a workbench usable, on a workbench of its own (its first admin is the only one).</summary>
public sealed class WorkbenchUsersTests : IDisposable
{
    readonly WorkbenchFactory _factory = new();
    readonly AsyncServiceScope _scope;
    readonly WorkbenchUsers _users;

    public WorkbenchUsersTests()
    {
        _factory.CreateClient().Dispose();
        _scope = _factory.Services.CreateAsyncScope();
        _users = _scope.ServiceProvider.GetRequiredService<WorkbenchUsers>();
    }

    public void Dispose()
    {
        _scope.Dispose();
        _factory.Dispose();
    }

    async Task<UserRow> Row(string email) => (await _users.ListAsync()).Single(u => u.Email == email);

    [Fact]
    public async Task The_only_admin_cannot_be_demoted_or_deleted_until_there_is_another()
    {
        var admin = await Row("admin@sada.local");
        var demote = await Assert.ThrowsAsync<AccountRequestException>(() => _users.SetRoleAsync(admin.Id, WorkbenchRoles.Reviewer));
        Assert.Contains("only admin", demote.Message);
        await _users.CreateAsync("second@lab.example", WorkbenchRoles.Researcher, null);
        var second = await Row("second@lab.example");
        Assert.Contains("only admin", (await Assert.ThrowsAsync<AccountRequestException>(() => _users.DeleteAsync(admin.Id, second.Id))).Message);

        await _users.SetRoleAsync(second.Id, WorkbenchRoles.Admin);
        await _users.SetRoleAsync(admin.Id, WorkbenchRoles.Reviewer);

        Assert.Equal(WorkbenchRoles.Reviewer, (await Row("admin@sada.local")).Role);
        Assert.Equal(WorkbenchRoles.Admin, (await Row("second@lab.example")).Role);
    }

    [Fact]
    public async Task Nobody_deletes_their_own_account()
    {
        var admin = await Row("admin@sada.local");
        var e = await Assert.ThrowsAsync<AccountRequestException>(() => _users.DeleteAsync(admin.Id, admin.Id));
        Assert.Equal("You cannot delete your own account.", e.Message);
    }

    [Theory]
    [InlineData("not-an-email", "Researcher", "is not an email address")]
    [InlineData("admin@sada.local", "Researcher", "already exists")]
    [InlineData("new@lab.example", "Superuser", "'Superuser' is not a role")]
    public async Task A_bad_new_account_is_refused_with_the_reason(string email, string role, string reason)
    {
        var e = await Assert.ThrowsAsync<AccountRequestException>(() => _users.CreateAsync(email, role, null));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public async Task A_weak_password_is_refused_with_identitys_rules()
    {
        var e = await Assert.ThrowsAsync<AccountRequestException>(() => _users.CreateAsync("weak@lab.example", WorkbenchRoles.Reviewer, "abc"));
        Assert.Contains("at least 10 characters", e.Message);
    }

    [Fact]
    public async Task A_reset_password_replaces_the_old_one_and_a_role_change_renews_the_security_stamp()
    {
        var generated = await _users.CreateAsync("reset@lab.example", WorkbenchRoles.Reviewer, null);
        var row = await Row("reset@lab.example");
        var manager = _scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var stamp = await manager.GetSecurityStampAsync((await manager.FindByIdAsync(row.Id))!);

        await _users.SetRoleAsync(row.Id, WorkbenchRoles.Researcher);
        Assert.NotEqual(stamp, await manager.GetSecurityStampAsync((await manager.FindByIdAsync(row.Id))!));

        var reset = await _users.ResetPasswordAsync(row.Id);
        using var client = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await client.PostAsJsonAsync("/api/account/login", new { email = "reset@lab.example", password = generated })).StatusCode);
        Assert.Equal(HttpStatusCode.OK,
            (await client.PostAsJsonAsync("/api/account/login", new { email = "reset@lab.example", password = reset })).StatusCode);
    }
}
