using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sada.Workbench.Accounts;

namespace Sada.Workbench.Tests.Accounts;

public class FirstAdminTests
{
    [Fact]
    public async Task With_no_users_an_admin_is_created_with_a_generated_password_printed_once_that_signs_in()
    {
        using var factory = new WorkbenchFactory { Settings = { ["Sada:Accounts:AdminPassword"] = "", ["Sada:Accounts:AdminEmail"] = "boss@lab.example" } };
        using var client = factory.CreateClient();
        await using var scope = factory.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        // Start over from an empty user table (the start above already made one, printed to the test's console).
        foreach (var user in await users.Users.ToListAsync()) await users.DeleteAsync(user);

        var console = new StringWriter();
        var password = await scope.ServiceProvider.GetRequiredService<FirstAdmin>().EnsureAsync(console);

        Assert.NotNull(password);
        Assert.Contains("boss@lab.example", console.ToString());
        Assert.Contains(password, console.ToString());
        var admin = Assert.Single(await users.Users.ToListAsync());
        Assert.True(await users.IsInRoleAsync(admin, WorkbenchRoles.Admin));
        var token = await client.PostAsJsonAsync("/api/account/login", new { email = "boss@lab.example", password });
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);

        var again = new StringWriter();
        Assert.Null(await scope.ServiceProvider.GetRequiredService<FirstAdmin>().EnsureAsync(again));
        Assert.Equal("", again.ToString());
        Assert.Single(await users.Users.ToListAsync());
    }

    [Fact]
    public async Task A_configured_password_is_used_and_never_printed()
    {
        using var factory = new WorkbenchFactory();
        using var client = factory.CreateClient();
        var response = await client.PostAsJsonAsync("/api/account/login", new { email = "admin@sada.local", password = TestAccounts.Password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var scope = factory.Services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        Assert.Equal(WorkbenchRoles.All.Order(), (await roles.Roles.Select(r => r.Name!).ToListAsync()).Order());
    }

    [Fact]
    public async Task A_configured_password_that_breaks_the_rules_stops_the_start_with_the_reason()
    {
        using var factory = new WorkbenchFactory { Settings = { ["Sada:Accounts:AdminPassword"] = "short" } };
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var message = error is AggregateException a ? a.Flatten().InnerExceptions[0].Message : error.Message;
        Assert.Contains("Sada:Accounts:AdminPassword", message);
        Assert.Contains("at least 10 characters", message);
        await Task.CompletedTask;
    }
}
